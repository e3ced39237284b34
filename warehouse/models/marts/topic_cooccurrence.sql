{#- Topics covered together: per unordered pair (topic_a < topic_b) and day, articles matching both,
    each, and the Jaccard index. Only pairs that co-occur at least once that day have a row. -#}

with article_topics as (
    select article_id, topic_id, day from {{ ref('article_topics') }} where day is not null
),

topic_counts as (
    select topic_id, day, count(*) as articles
    from article_topics
    group by topic_id, day
),

pairs as (
    select
        a.topic_id as topic_a,
        b.topic_id as topic_b,
        a.day,
        count(*) as articles_both
    from article_topics as a
    inner join article_topics as b
        on a.article_id = b.article_id
        and a.topic_id < b.topic_id
    group by a.topic_id, b.topic_id, a.day
),

final as (
    select
        pairs.topic_a,
        pairs.topic_b,
        pairs.day,
        pairs.articles_both,
        count_a.articles as articles_a,
        count_b.articles as articles_b,
        pairs.articles_both / (count_a.articles + count_b.articles - pairs.articles_both) as jaccard
    from pairs
    inner join topic_counts as count_a on pairs.topic_a = count_a.topic_id and pairs.day = count_a.day
    inner join topic_counts as count_b on pairs.topic_b = count_b.topic_id and pairs.day = count_b.day
)

select * from final
