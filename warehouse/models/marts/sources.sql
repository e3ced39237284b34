with sources as (
    select * from {{ ref('stg_sources') }}
),

final as (
    select
        source_id,
        source_name as name,
        homepage,
        country,
        languages,
        timezone
    from sources
)

select * from final
