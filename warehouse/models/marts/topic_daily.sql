{#- Coverage share per topic, outlet and day. The denominator is the outlet's dated articles that
    day (undated articles never count here; see source_health). Every (topic, source, day) where
    the source published dated articles has a row, with zero matches when none matched. -#}

with articles as (
    select source_id, day from {{ ref('articles') }} where day is not null
),

article_topics as (
    select topic_id, source_id, day from {{ ref('article_topics') }} where day is not null
),

topics as (
    select topic_id, spike_threshold from {{ ref('topics') }}
),

totals as (
    select source_id, day, count(*) as total_articles
    from articles
    group by source_id, day
),

matching as (
    select topic_id, source_id, day, count(*) as matching_articles
    from article_topics
    group by topic_id, source_id, day
),

daily as (
    select
        topics.topic_id,
        totals.source_id,
        totals.day,
        coalesce(matching.matching_articles, 0) as matching_articles,
        totals.total_articles,
        coalesce(matching.matching_articles, 0) / totals.total_articles as share,
        topics.spike_threshold
    from totals
    cross join topics
    left join matching
        on topics.topic_id = matching.topic_id
        and totals.source_id = matching.source_id
        and totals.day = matching.day
),

{{ trend_metrics('daily', ['topic_id', 'source_id']) }},

final as (
    select
        topic_id,
        source_id,
        day,
        {{ trend_columns() }}
    from scored
)

select * from final
