{#- How good the denominators are: per outlet and crawl day, what the crawl fetched, extracted and
    failed on, how many articles had no date (and so count in no trend), and gaps: days between an
    outlet's first and last crawl with no crawl or no article extracted. -#}

with fetch_log as (
    select source_id, crawl_date, outcome from {{ ref('stg_fetch_log') }}
),

articles as (
    select source_id, crawl_date, published_at from {{ ref('int_articles_deduped') }}
),

fetch_days as (
    select
        source_id,
        crawl_date as day,
        count(*) as pages_fetched,
        count(*) filter (where outcome = 'article') as articles_extracted,
        count(*) filter (where outcome = 'not_article') as not_articles,
        count(*) filter (where outcome = 'unchanged') as unchanged,
        count(*) filter (where outcome not in ('article', 'not_article', 'unchanged')) as failures
    from fetch_log
    group by source_id, crawl_date
),

failure_kinds as (
    select source_id, crawl_date as day, outcome, count(*) as n
    from fetch_log
    where outcome not in ('article', 'not_article', 'unchanged')
    group by source_id, crawl_date, outcome
),

failures_json as (
    select source_id, day, to_json(map(list(outcome order by outcome), list(n order by outcome))) as failures_by_kind
    from failure_kinds
    group by source_id, day
),

undated as (
    select source_id, crawl_date as day, count(*) filter (where published_at is null) as undated_articles
    from articles
    group by source_id, crawl_date
),

crawled_days as (
    select source_id, day from fetch_days
    union
    select source_id, day from undated
),

source_ranges as (
    select source_id, min(day) as first_day, max(day) as last_day
    from crawled_days
    group by source_id
),

calendar as (
    select
        source_id,
        cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as day
    from source_ranges
),

final as (
    select
        calendar.source_id,
        calendar.day,
        coalesce(fetch_days.pages_fetched, 0) as pages_fetched,
        coalesce(fetch_days.articles_extracted, 0) as articles_extracted,
        coalesce(fetch_days.not_articles, 0) as not_articles,
        coalesce(fetch_days.unchanged, 0) as unchanged,
        coalesce(fetch_days.failures, 0) as failures,
        coalesce(failures_json.failures_by_kind, '{}'::json) as failures_by_kind,
        coalesce(undated.undated_articles, 0) as undated_articles,
        coalesce(fetch_days.articles_extracted, 0) = 0
        and coalesce(fetch_days.unchanged, 0) = 0
        and undated.day is null as is_gap
    from calendar
    left join fetch_days on calendar.source_id = fetch_days.source_id and calendar.day = fetch_days.day
    left join failures_json on calendar.source_id = failures_json.source_id and calendar.day = failures_json.day
    left join undated on calendar.source_id = undated.source_id and calendar.day = undated.day
)

select * from final
