with mentions as (
    select article_id, entity_id, fetched_at, mentions from {{ ref('int_entity_mentions') }}
),

entities as (
    select distinct entity_id, entity_name, entity_type from {{ ref('stg_entity_terms') }}
),

articles as (
    select article_id, fetched_at, source_id, language, day from {{ ref('articles') }}
),

final as (
    select
        articles.article_id,
        mentions.entity_id,
        entities.entity_name,
        entities.entity_type,
        articles.source_id,
        articles.language,
        articles.day,
        mentions.mentions
    from mentions
    inner join articles
        on mentions.article_id = articles.article_id
        and mentions.fetched_at = articles.fetched_at
    inner join entities on mentions.entity_id = entities.entity_id
)

select * from final
