{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='canonical_url',
    )
}}

{#- Incremental: a daily build rewrites only the articles that are new, have a new version, or
    whose derived columns (day, outlet name, near-duplicate pointer) changed; the change test reads
    narrow columns only, the bodies are read for the rows written. -#}

with deduped as (
    select * from {{ ref('int_articles_deduped') }}
),

days as (
    select article_id, day from {{ ref('int_article_days') }}
),

near_duplicates as (
    select article_id, duplicate_of from {{ ref('int_near_duplicates') }}
),

sources as (
    select source_id, source_name from {{ ref('stg_sources') }}
),

derived as (
    select
        deduped.dedupe_key as canonical_url,
        deduped.article_id,
        deduped.fetched_at,
        coalesce(sources.source_name, deduped.source_id) as source_name,
        days.day,
        near_duplicates.duplicate_of
    from deduped
    left join days on deduped.article_id = days.article_id
    left join near_duplicates on deduped.article_id = near_duplicates.article_id
    left join sources on deduped.source_id = sources.source_id
),

{% if is_incremental() %}
changed as (
    select derived.canonical_url
    from derived
    left join {{ this }} as published on derived.canonical_url = published.canonical_url
    where
        published.canonical_url is null
        or derived.article_id <> published.article_id
        or derived.fetched_at <> published.fetched_at
        or derived.source_name is distinct from published.source_name
        or derived.day is distinct from published.day
        or derived.duplicate_of is distinct from published.duplicate_of
),

{% endif %}
final as (
    select
        deduped.article_id,
        deduped.url,
        derived.canonical_url,
        deduped.source_id,
        derived.source_name,
        deduped.domain,
        deduped.language,
        deduped.title,
        deduped.subtitle,
        deduped.body,
        deduped.authors,
        deduped.section,
        deduped.tags,
        deduped.published_at,
        derived.day,
        deduped.modified_at,
        deduped.date_source,
        deduped.fetched_at,
        deduped.crawl_date,
        deduped.word_count,
        deduped.views,
        deduped.image_url,
        deduped.simhash,
        deduped.content_hash,
        derived.duplicate_of is not null as is_near_duplicate,
        derived.duplicate_of,
        deduped.run_id
    from deduped
    inner join derived on deduped.article_id = derived.article_id
    {% if is_incremental() %}
    where derived.canonical_url in (select canonical_url from changed)
    {% endif %}
)

select * from final
