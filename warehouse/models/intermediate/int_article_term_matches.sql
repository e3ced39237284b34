{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        full_refresh=var('refresh_topic_models'),
    )
}}

{#- Which topic term matched which article version. Patterns are RE2 expressions held as data (a
    column), matched against lower(concat_ws(chr(10), title, subtitle, body)) as newsradar.topics
    specifies; each distinct pattern is evaluated once per article, however many topics, clauses or
    languages use it. A term row with a language applies only to articles in that language.
    Incremental: only article versions fetched after the last processed one are matched; a change
    of the terms (hash) forces a full refresh, see newsradar/warehouse.py. -#}

with articles as (
    select article_id, fetched_at, language, title, subtitle, body
    from {{ ref('int_articles_deduped') }}
    where fetched_at > {{ fetched_watermark() }}
),

terms as (
    select distinct topic_id, term_id, language, pattern from {{ ref('stg_topic_terms') }}
),

patterns as (
    select distinct pattern from terms
),

texts as (
    select
        article_id,
        fetched_at,
        language,
        lower(concat_ws(chr(10), title, subtitle, body)) as text
    from articles
),

pattern_matches as (
    select
        texts.article_id,
        texts.fetched_at,
        texts.language,
        patterns.pattern
    from texts
    cross join patterns
    where regexp_matches(texts.text, patterns.pattern)
),

final as (
    select distinct
        pattern_matches.article_id,
        pattern_matches.fetched_at,
        pattern_matches.language,
        terms.topic_id,
        terms.term_id
    from pattern_matches
    inner join terms
        on pattern_matches.pattern = terms.pattern
        and (terms.language is null or terms.language = pattern_matches.language)
)

select * from final
