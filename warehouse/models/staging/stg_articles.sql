with source as (
    select * from {{ source('lake', 'articles') }}
),

final as (
    select
        cast(article_id as varchar) as article_id,
        cast(url as varchar) as url,
        cast(canonical_url as varchar) as canonical_url,
        cast(source_id as varchar) as source_id,
        cast(domain as varchar) as domain,
        cast(language as varchar) as language,
        cast(title as varchar) as title,
        cast(subtitle as varchar) as subtitle,
        cast(body as varchar) as body,
        cast(authors as varchar[]) as authors,
        cast(section as varchar) as section,
        cast(tags as varchar[]) as tags,
        cast(published_at as timestamptz) as published_at,
        cast(modified_at as timestamptz) as modified_at,
        cast(date_source as varchar) as date_source,
        cast(fetched_at as timestamptz) as fetched_at,
        cast(crawl_date as date) as crawl_date,
        cast(http_status as smallint) as http_status,
        cast(content_hash as varchar) as content_hash,
        cast(simhash as ubigint) as simhash,
        cast(word_count as integer) as word_count,
        cast(image_url as varchar) as image_url,
        cast(views as bigint) as views,
        cast(extractor as varchar) as extractor,
        cast(schema_version as smallint) as schema_version,
        cast(run_id as varchar) as run_id
    from source
)

select * from final
