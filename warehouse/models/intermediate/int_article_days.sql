{#- The calendar day of publication in the outlet's own time zone (UTC for an outlet missing from
    the sources file). Undated articles get a null day. -#}

with articles as (
    select article_id, source_id, published_at from {{ ref('int_articles_deduped') }}
),

sources as (
    select source_id, timezone from {{ ref('stg_sources') }}
),

final as (
    select
        articles.article_id,
        articles.source_id,
        coalesce(sources.timezone, 'UTC') as timezone,
        cast(timezone(coalesce(sources.timezone, 'UTC'), articles.published_at) as date) as day
    from articles
    left join sources on articles.source_id = sources.source_id
)

select * from final
