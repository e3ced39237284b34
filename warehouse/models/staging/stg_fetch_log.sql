with source as (
    select * from {{ source('lake', 'fetch_log') }}
),

final as (
    select
        cast(run_id as varchar) as run_id,
        cast(source_id as varchar) as source_id,
        cast(crawl_date as date) as crawl_date,
        cast(url as varchar) as url,
        cast(kind as varchar) as fetch_kind,
        cast(discovered_via as varchar) as discovered_via,
        cast(fetched_at as timestamptz) as fetched_at,
        cast(http_status as smallint) as http_status,
        cast(bytes as bigint) as response_bytes,
        cast(elapsed_ms as double) as elapsed_ms,
        cast(outcome as varchar) as outcome,
        cast(error as varchar) as error,
        cast(schema_version as smallint) as schema_version
    from source
)

select * from final
