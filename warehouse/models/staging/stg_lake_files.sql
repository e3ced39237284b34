with source as (
    select * from {{ source('lake', 'lake_files') }}
),

final as (
    select
        cast(lake_table as varchar) as lake_table,
        cast(path as varchar) as path,
        cast(size as bigint) as size,
        cast(mtime_ns as bigint) as mtime_ns
    from source
)

select * from final
