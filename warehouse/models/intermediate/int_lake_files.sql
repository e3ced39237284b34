{#- The lake files this warehouse has read: the listing taken when the build began. The next
    incremental build reads only the files missing here (newsradar.warehouse copies their rows into
    stg_articles_new / stg_fetch_log_new). -#}

with files as (
    select * from {{ ref('stg_lake_files') }}
),

final as (
    select lake_table, path, size, mtime_ns from files
)

select * from final
