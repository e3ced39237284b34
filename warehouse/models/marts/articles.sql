{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='canonical_url',
    )
}}

-- depends_on: {{ ref('stg_articles_new') }}

{#- Incremental: a daily build rewrites only the articles that are new, have a new version, or
    whose derived columns (day, outlet name, near-duplicate pointer) changed. The change test reads
    narrow columns only; the text of a new version comes from its lake row (on an incremental build
    from the rows of the files not read before: stg_articles_new), that of a version already
    published from the table itself. #}

with deduped as (
    select dedupe_key, article_id, fetched_at, source_id, lake_file, lake_row
    from {{ ref('int_articles_deduped') }}
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
        deduped.lake_file,
        deduped.lake_row,
        coalesce(sources.source_name, deduped.source_id) as source_name,
        days.day,
        near_duplicates.duplicate_of
    from deduped
    left join days on deduped.article_id = days.article_id
    left join near_duplicates on deduped.article_id = near_duplicates.article_id
    left join sources on deduped.source_id = sources.source_id
),

{% if is_incremental() %}
published as (
    select canonical_url, article_id, fetched_at, source_name, day, duplicate_of from {{ this }}
),

to_write as (
    select
        derived.*,
        published.article_id is not distinct from derived.article_id
        and published.fetched_at is not distinct from derived.fetched_at as same_version
    from derived
    left join published on derived.canonical_url = published.canonical_url
    where
        published.canonical_url is null
        or derived.article_id <> published.article_id
        or derived.fetched_at <> published.fetched_at
        or derived.source_name is distinct from published.source_name
        or derived.day is distinct from published.day
        or derived.duplicate_of is distinct from published.duplicate_of
),
{% else %}
to_write as (
    select derived.*, false as same_version from derived
),
{% endif %}

lake as (
    {% if is_incremental() %}
    select * from {{ ref('stg_articles_new') }}
    {% else %}
    select * from {{ ref('stg_articles') }}
    {% endif %}
),

texts as (
    -- the new versions, with their text from the lake
    select
        to_write.*,
        lake.url,
        lake.domain,
        lake.language,
        lake.title,
        lake.subtitle,
        lake.body,
        lake.authors,
        lake.section,
        lake.tags,
        lake.published_at,
        lake.modified_at,
        lake.date_source,
        lake.crawl_date,
        lake.word_count,
        lake.views,
        lake.image_url,
        lake.simhash,
        lake.content_hash,
        lake.run_id,
        lake.source_id
    from to_write
    inner join lake on to_write.lake_file = lake.lake_file and to_write.lake_row = lake.lake_row
    where not to_write.same_version
    {% if is_incremental() %}
    union all
    -- versions already published whose derived columns changed, with the text they have
    select
        to_write.*,
        published.url,
        published.domain,
        published.language,
        published.title,
        published.subtitle,
        published.body,
        published.authors,
        published.section,
        published.tags,
        published.published_at,
        published.modified_at,
        published.date_source,
        published.crawl_date,
        published.word_count,
        published.views,
        published.image_url,
        published.simhash,
        published.content_hash,
        published.run_id,
        published.source_id
    from to_write
    inner join {{ this }} as published on to_write.canonical_url = published.canonical_url
    where to_write.same_version
    {% endif %}
),

final as (
    select
        article_id,
        url,
        canonical_url,
        source_id,
        source_name,
        domain,
        language,
        title,
        subtitle,
        body,
        authors,
        section,
        tags,
        published_at,
        day,
        modified_at,
        date_source,
        fetched_at,
        crawl_date,
        word_count,
        views,
        image_url,
        simhash,
        content_hash,
        duplicate_of is not null as is_near_duplicate,
        duplicate_of,
        run_id
    from texts
)

select * from final
