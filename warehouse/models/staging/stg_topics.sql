with source as (
    select * from {{ source('reference', 'topics') }}
),

final as (
    select
        cast(topic_id as varchar) as topic_id,
        cast(label as varchar) as label,
        cast(description as varchar) as description,
        cast(query as varchar) as query,
        cast(languages as varchar[]) as languages,
        cast(spike_threshold as double) as spike_threshold
    from source
)

select * from final
