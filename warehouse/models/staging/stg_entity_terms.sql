with source as (
    select * from {{ source('reference', 'entity_terms') }}
),

final as (
    select
        cast(entity_id as varchar) as entity_id,
        cast(entity_name as varchar) as entity_name,
        cast(entity_type as varchar) as entity_type,
        cast(term_id as varchar) as term_id,
        cast(pattern as varchar) as pattern
    from source
)

select * from final
