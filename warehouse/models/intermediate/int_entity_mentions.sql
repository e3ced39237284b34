{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        full_refresh=var('refresh_entity_models'),
    )
}}

{#- Gazetteer entities (people, places, organisations; each with alias patterns as data) found in
    articles: one row per article version and entity, with the number of alias occurrences. -#}

with articles as (
    select article_id, fetched_at, title, subtitle, body
    from {{ ref('int_articles_deduped') }}
    where fetched_at > {{ fetched_watermark() }}
),

terms as (
    select entity_id, term_id, pattern from {{ ref('stg_entity_terms') }}
),

texts as (
    select
        article_id,
        fetched_at,
        lower(concat_ws(chr(10), title, subtitle, body)) as text
    from articles
),

term_hits as (
    select
        texts.article_id,
        texts.fetched_at,
        terms.entity_id,
        len(regexp_extract_all(texts.text, terms.pattern)) as mentions
    from texts
    cross join terms
    where regexp_matches(texts.text, terms.pattern)
),

final as (
    select
        article_id,
        entity_id,
        max(fetched_at) as fetched_at,
        cast(sum(mentions) as bigint) as mentions
    from term_hits
    group by article_id, entity_id
)

select * from final
