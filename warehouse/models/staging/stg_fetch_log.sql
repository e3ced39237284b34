with source as (
    select * from {{ source('lake', 'fetch_log') }}
),

final as (
    select
        {{ fetch_log_columns(lake_path('filename')) }}
    from source
)

select * from final
