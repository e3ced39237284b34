{#- Which outlets carry a topic's coverage: each outlet's share of all matching articles that day. -#}

with topic_daily as (
    select topic_id, source_id, day, matching_articles from {{ ref('topic_daily') }}
),

day_totals as (
    select topic_id, day, sum(matching_articles) as topic_articles_all_sources
    from topic_daily
    group by topic_id, day
),

final as (
    select
        topic_daily.topic_id,
        topic_daily.source_id,
        topic_daily.day,
        topic_daily.matching_articles,
        day_totals.topic_articles_all_sources,
        topic_daily.matching_articles / day_totals.topic_articles_all_sources as share_of_voice
    from topic_daily
    inner join day_totals
        on topic_daily.topic_id = day_totals.topic_id
        and topic_daily.day = day_totals.day
    where day_totals.topic_articles_all_sources > 0
)

select * from final
