with source as (
    select * from {{ source('lake', 'articles') }}
),

final as (
    select
        {{ article_columns(lake_path('filename'), 'file_row_number') }}
    from source
)

select * from final
