{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='dedupe_key',
    )
}}

{#- Incremental on the crawl runs: only lake rows fetched after the latest one already kept are read
    (the literal watermark is pushed down to Parquet statistics); a newer version replaces the row
    of its canonical URL. -#}

with articles as (
    select * from {{ ref('stg_articles') }}
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
    select * exclude (version_rank)
    from ranked
    where version_rank = 1
)

select * from final
