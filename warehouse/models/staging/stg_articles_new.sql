with source as (
    select * from {{ source('lake', 'articles_new') }}
),

final as (
    select
        {{ article_columns('lake_file', 'lake_row') }}
    from source
)

select * from final
