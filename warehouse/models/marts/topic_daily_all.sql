{#- Coverage share per topic and day across all outlets: matching dated articles over all dated
    articles that day (each outlet's day in its own time zone). -#}

with articles as (
    select day from {{ ref('articles') }} where day is not null
),

article_topics as (
    select topic_id, day from {{ ref('article_topics') }} where day is not null
),

topics as (
    select topic_id, spike_threshold from {{ ref('topics') }}
),

totals as (
    select day, count(*) as total_articles
    from articles
    group by day
),

matching as (
    select topic_id, day, count(*) as matching_articles
    from article_topics
    group by topic_id, day
),

daily as (
    select
        topics.topic_id,
        totals.day,
        coalesce(matching.matching_articles, 0) as matching_articles,
        totals.total_articles,
        coalesce(matching.matching_articles, 0) / totals.total_articles as share,
        topics.spike_threshold
    from totals
    cross join topics
    left join matching
        on topics.topic_id = matching.topic_id
        and totals.day = matching.day
),

{{ trend_metrics('daily', ['topic_id']) }},

final as (
    select
        topic_id,
        day,
        {{ trend_columns() }}
    from scored
)

select * from final
