{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        post_hook="delete from {{ this }} where entity_id is null",
    )
}}
-- depends_on: {{ ref('stg_articles_new') }}, {{ ref('int_articles_deduped') }}

{#- Incremental as article_topics: the rows of the versions read, of articles whose day moved and of
    articles no longer kept are rewritten (placeholders for articles left without entities, deleted
    by the post-hook); rebuilt when the gazetteer changes. #}

with mentions as (
    select article_id, entity_id, fetched_at, mentions from {{ ref('int_entity_mentions') }}
),

entities as (
    select distinct entity_id, entity_name, entity_type from {{ ref('stg_entity_terms') }}
),

articles as (
    select article_id, fetched_at, source_id, language, day from {{ ref('articles') }}
),

{% if is_incremental() %}
refresh as (
    {{ articles_to_refresh() }}
),

{% endif %}
joined as (
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
    {% if is_incremental() %}
    where articles.article_id in (select article_id from refresh)
    {% endif %}
),

final as (
    select * from joined
    {% if is_incremental() %}
    union all
    select article_id, null, null, null, null, null, null, null
    from refresh
    where article_id not in (select article_id from joined)
    {% endif %}
)

select * from final
