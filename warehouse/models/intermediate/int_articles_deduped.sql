{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='dedupe_key',
    )
}}

{#- The latest version of each article, on narrow columns only: the version ranking never carries
    titles and bodies (at a million articles, ranking with the bodies attached took minutes and most
    of the memory). Models that need the text read it from the lake for the versions kept here
    (articles, the term and entity matches).
    Incremental on the crawl runs: only lake rows fetched after the latest one already kept are read
    (the literal watermark is pushed down to Parquet statistics); a newer version replaces the row
    of its canonical URL. -#}

with articles as (
    select
        article_id,
        url,
        canonical_url,
        source_id,
        language,
        published_at,
        modified_at,
        fetched_at,
        crawl_date,
        simhash
    from {{ ref('stg_articles') }}
    where fetched_at > {{ fetched_watermark() }}
),

keyed as (
    select
        *,
        coalesce(nullif(trim(canonical_url), ''), url) as dedupe_key
    from articles
),

ranked as (
    select
        *,
        row_number() over (
            partition by dedupe_key
            order by fetched_at desc, modified_at desc nulls last, article_id desc
        ) as version_rank
    from keyed
),

final as (
    select
        dedupe_key,
        article_id,
        source_id,
        language,
        published_at,
        modified_at,
        fetched_at,
        crawl_date,
        simhash
    from ranked
    where version_rank = 1
)

select * from final
