{#- How good the denominators are: per outlet and crawl day, what the crawl fetched, extracted and
    failed on, how many articles had no date (and so count in no trend), and gaps: days between an
    outlet's first and last crawl with no crawl or no article extracted. -#}

with fetch_days as (
    select
        source_id,
        crawl_date as day,
        pages_fetched,
        articles_extracted,
        not_articles,
        unchanged,
        failures,
        failures_by_kind
    from {{ ref('int_fetch_days') }}
),

articles as (
    select source_id, crawl_date, published_at from {{ ref('int_articles_deduped') }}
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
        coalesce(fetch_days.failures_by_kind, '{}'::json) as failures_by_kind,
        coalesce(undated.undated_articles, 0) as undated_articles,
        coalesce(fetch_days.articles_extracted, 0) = 0
        and coalesce(fetch_days.unchanged, 0) = 0
        and undated.day is null as is_gap
    from calendar
    left join fetch_days on calendar.source_id = fetch_days.source_id and calendar.day = fetch_days.day
    left join undated on calendar.source_id = undated.source_id and calendar.day = undated.day
)

select * from final
