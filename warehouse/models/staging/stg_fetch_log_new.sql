with source as (
    select * from {{ source('lake', 'fetch_log_new') }}
),

final as (
    select
        {{ fetch_log_columns('lake_file') }}
    from source
)

select * from final
