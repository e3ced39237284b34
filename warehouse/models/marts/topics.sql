with topics as (
    select * from {{ ref('stg_topics') }}
),

final as (
    select
        topic_id,
        label,
        description,
        query,
        languages,
        coalesce(spike_threshold, {{ var('default_spike_threshold') }}) as spike_threshold
    from topics
)

select * from final
