with deduped as (
    select * from {{ ref('int_articles_deduped') }}
),

days as (
    select article_id, day from {{ ref('int_article_days') }}
),

near_duplicates as (
    select article_id, duplicate_of from {{ ref('int_near_duplicates') }}
),

sources as (
    select source_id, source_name from {{ ref('stg_sources') }}
),

final as (
    select
        deduped.article_id,
        deduped.url,
        deduped.dedupe_key as canonical_url,
        deduped.source_id,
        coalesce(sources.source_name, deduped.source_id) as source_name,
        deduped.domain,
        deduped.language,
        deduped.title,
        deduped.subtitle,
        deduped.body,
        deduped.authors,
        deduped.section,
        deduped.tags,
        deduped.published_at,
        days.day,
        deduped.modified_at,
        deduped.date_source,
        deduped.fetched_at,
        deduped.crawl_date,
        deduped.word_count,
        deduped.views,
        deduped.image_url,
        deduped.simhash,
        deduped.content_hash,
        near_duplicates.duplicate_of is not null as is_near_duplicate,
        near_duplicates.duplicate_of,
        deduped.run_id
    from deduped
    left join days on deduped.article_id = days.article_id
    left join near_duplicates on deduped.article_id = near_duplicates.article_id
    left join sources on deduped.source_id = sources.source_id
)

select * from final
