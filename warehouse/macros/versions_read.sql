{#- The article versions an incremental build read: the rows of lake files not read before
    (stg_articles_new) that int_articles_deduped keeps. Models using it declare both refs in
    `-- depends_on:` comments (dbt does not see refs inside a branch taken at run time only). -#}
{% macro versions_read() -%}
    select kept.article_id
    from {{ ref('int_articles_deduped') }} as kept
    inner join {{ ref('stg_articles_new') }} as new_rows
        on kept.lake_file = new_rows.lake_file and kept.lake_row = new_rows.lake_row
{%- endmacro %}

{#- The articles a mart keyed by article and day must rewrite in an incremental build: the versions
    the build read, and the rows of the mart (`this`) whose article's day changed or that left
    `articles`. Expects a CTE `articles` (article_id, day) in the calling model. -#}
{% macro articles_to_refresh() -%}
    {{ versions_read() }}
    union
    select published.article_id
    from {{ this }} as published
    where not exists (
        select 1 from articles
        where articles.article_id = published.article_id and articles.day is not distinct from published.day
    )
{%- endmacro %}
