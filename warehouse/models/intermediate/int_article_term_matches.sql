{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        full_refresh=var('refresh_topic_models'),
    )
}}

{#- Which topic term matched which article. Patterns are RE2 expressions held as data (a column),
    matched against lower(title || ' ' || body); a term with a language applies only to articles
    in that language. Incremental: only article versions fetched after the last processed one are
    matched; a change of the terms (hash) forces a full refresh, see newsradar/warehouse.py. -#}

with articles as (
    select article_id, fetched_at, language, title, body
    from {{ ref('int_articles_deduped') }}
    where fetched_at > {{ fetched_watermark() }}
),

terms as (
    select distinct term_id, language, pattern from {{ ref('stg_topic_terms') }}
),

texts as (
    select
        article_id,
        fetched_at,
        language,
        lower(coalesce(title, '') || ' ' || coalesce(body, '')) as text
    from articles
),

final as (
    select
        texts.article_id,
        texts.fetched_at,
        terms.term_id
    from texts
    inner join terms
        on terms.language is null or terms.language = texts.language
    where regexp_matches(texts.text, terms.pattern)
)

select * from final
