{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='dedupe_key',
    )
}}
-- depends_on: {{ ref('stg_articles_new') }}

{#- The latest version of each article, on narrow columns only: the ranking never carries titles and
    bodies (at a million articles, ranking with the bodies attached took minutes and most of the
    memory). `lake_file`/`lake_row` say where the kept version's text is; models that need the text
    (articles, the term and entity matches) read it from there.
    Incremental on lake files: a build reads only the rows of files it has not read before
    (stg_articles_new) and ranks them with the kept rows of the same canonical URLs, so a version that
    lands late never replaces a newer one. On a tie (the same version in a newer file: a partition
    merged by a re-run, or compacted) the newer file wins, so `lake_file` names a file that exists. #}

{%- set kept_columns = ['article_id', 'source_id', 'language', 'published_at', 'modified_at', 'fetched_at',
                         'crawl_date', 'simhash', 'lake_file', 'lake_row'] %}

with lake_rows as (
    select
        coalesce(nullif(trim(canonical_url), ''), url) as dedupe_key,
        {{ kept_columns | join(',\n        ') }}
    {% if is_incremental() %}
    from {{ ref('stg_articles_new') }}
    {% else %}
    from {{ ref('stg_articles') }}
    {% endif %}
),

candidates as (
    select
        dedupe_key,
        {{ kept_columns | join(',\n        ') }},
        1 as is_new
    from lake_rows
    {% if is_incremental() %}
    union all
    select
        dedupe_key,
        {{ kept_columns | join(',\n        ') }},
        0 as is_new
    from {{ this }}
    where dedupe_key in (select dedupe_key from lake_rows)
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by dedupe_key
            order by
                fetched_at desc,
                modified_at desc nulls last,
                article_id desc,
                is_new desc,
                lake_file desc,
                lake_row desc
        ) as version_rank
    from candidates
),

final as (
    select
        dedupe_key,
        {{ kept_columns | join(',\n        ') }}
    from ranked
    where version_rank = 1
)

select * from final
