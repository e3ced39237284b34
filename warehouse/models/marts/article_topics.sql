with article_topics as (
    select article_id, topic_id, fetched_at from {{ ref('int_article_topics') }}
),

articles as (
    select article_id, fetched_at, source_id, language, day, published_at
    from {{ ref('articles') }}
),

final as (
    select
        articles.article_id,
        article_topics.topic_id,
        articles.source_id,
        articles.language,
        articles.day,
        articles.published_at
    from article_topics
    -- the version join drops matches of superseded article versions
    inner join articles
        on article_topics.article_id = articles.article_id
        and article_topics.fetched_at = articles.fetched_at
)

select * from final
