with source as (
    select * from {{ source('reference', 'topic_terms') }}
),

final as (
    select
        cast(topic_id as varchar) as topic_id,
        cast(language as varchar) as language,
        cast(clause_id as integer) as clause_id,
        cast(term_id as varchar) as term_id,
        cast(pattern as varchar) as pattern,
        cast(negated as boolean) as negated
    from source
)

select * from final
