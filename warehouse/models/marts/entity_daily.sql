with entity_mentions as (
    select * from {{ ref('entity_mentions') }} where day is not null
),

final as (
    select
        entity_id,
        any_value(entity_name) as entity_name,
        any_value(entity_type) as entity_type,
        source_id,
        day,
        count(*) as articles,
        cast(sum(mentions) as bigint) as mentions
    from entity_mentions
    group by entity_id, source_id, day
)

select * from final
