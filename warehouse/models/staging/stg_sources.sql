with source as (
    select * from {{ source('reference', 'sources') }}
),

final as (
    select
        cast(source_id as varchar) as source_id,
        cast(name as varchar) as source_name,
        cast(homepage as varchar) as homepage,
        cast(country as varchar) as country,
        cast(languages as varchar[]) as languages,
        cast(timezone as varchar) as timezone
    from source
)

select * from final
