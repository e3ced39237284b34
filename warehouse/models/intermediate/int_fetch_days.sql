{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['source_id', 'crawl_date'],
    )
}}
-- depends_on: {{ ref('stg_fetch_log_new') }}

{#- What the crawl did per outlet and crawl day, from the fetch log. A crawl writes one file per
    partition (outlet, day) holding every row of that day's runs (a re-run merges the partition's
    earlier file into its own), so each partition is counted from its largest file: an earlier file
    that a dead run left behind is never counted twice.
    Incremental on lake files: a build recounts only the partitions that have a file it has not read. #}

with fetch_log as (
    select source_id, crawl_date, outcome, lake_file
    {% if is_incremental() %}
    from {{ ref('stg_fetch_log_new') }}
    {% else %}
    from {{ ref('stg_fetch_log') }}
    {% endif %}
),

file_sizes as (
    select source_id, crawl_date, lake_file, count(*) as n_rows
    from fetch_log
    group by source_id, crawl_date, lake_file
),

chosen_files as (
    select source_id, crawl_date, arg_max(lake_file, (n_rows, lake_file)) as lake_file
    from file_sizes
    group by source_id, crawl_date
),

counted_rows as (
    select fetch_log.source_id, fetch_log.crawl_date, fetch_log.outcome
    from fetch_log
    inner join chosen_files
        on fetch_log.source_id = chosen_files.source_id
        and fetch_log.crawl_date = chosen_files.crawl_date
        and fetch_log.lake_file = chosen_files.lake_file
),

counts as (
    select
        source_id,
        crawl_date,
        count(*) as pages_fetched,
        count(*) filter (where outcome = 'article') as articles_extracted,
        count(*) filter (where outcome = 'not_article') as not_articles,
        count(*) filter (where outcome = 'unchanged') as unchanged,
        count(*) filter (where outcome not in ('article', 'not_article', 'unchanged')) as failures
    from counted_rows
    group by source_id, crawl_date
),

failure_kinds as (
    select source_id, crawl_date, outcome, count(*) as n
    from counted_rows
    where outcome not in ('article', 'not_article', 'unchanged')
    group by source_id, crawl_date, outcome
),

failures_json as (
    select
        source_id,
        crawl_date,
        to_json(map(list(outcome order by outcome), list(n order by outcome))) as failures_by_kind
    from failure_kinds
    group by source_id, crawl_date
),

final as (
    select
        counts.*,
        coalesce(failures_json.failures_by_kind, '{}'::json) as failures_by_kind
    from counts
    left join failures_json
        on counts.source_id = failures_json.source_id
        and counts.crawl_date = failures_json.crawl_date
)

select * from final
