{#- The lake tables' columns, renamed and cast: shared by the staging views over the whole lake
    (stg_articles, stg_fetch_log) and over the rows of files not read yet (stg_articles_new,
    stg_fetch_log_new), so both give exactly the same columns. `lake_file`/`lake_row` name the file
    and row a version came from (the row identity downstream models join on). -#}

{#- A lake file's path below its table folder (source=<id>/crawl_date=<day>/<file>.parquet): what the
    warehouse stores, so it stays valid when the data folder is copied or moved. -#}
{% macro lake_path(column) -%}
    regexp_extract({{ column }}, '[^/]+/[^/]+/[^/]+$')
{%- endmacro %}
{% macro article_columns(lake_file, lake_row) -%}
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
        cast(run_id as varchar) as run_id,
        cast({{ lake_file }} as varchar) as lake_file,
        cast({{ lake_row }} as bigint) as lake_row
{%- endmacro %}

{% macro fetch_log_columns(lake_file) -%}
        cast(run_id as varchar) as run_id,
        cast(source_id as varchar) as source_id,
        cast(crawl_date as date) as crawl_date,
        cast(url as varchar) as url,
        cast(kind as varchar) as fetch_kind,
        cast(discovered_via as varchar) as discovered_via,
        cast(fetched_at as timestamptz) as fetched_at,
        cast(http_status as smallint) as http_status,
        cast(bytes as bigint) as response_bytes,
        cast(elapsed_ms as double) as elapsed_ms,
        cast(outcome as varchar) as outcome,
        cast(error as varchar) as error,
        cast(schema_version as smallint) as schema_version,
        cast({{ lake_file }} as varchar) as lake_file
{%- endmacro %}
