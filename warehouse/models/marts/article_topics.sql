{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        post_hook="delete from {{ this }} where topic_id is null",
    )
}}
-- depends_on: {{ ref('stg_articles_new') }}, {{ ref('int_articles_deduped') }}

{#- Incremental: a build rewrites the rows of the versions it read, of articles whose day moved (an
    outlet's time zone changed) and of articles no longer kept; an article left with no topic gets a
    placeholder row, so its old rows are deleted, and the post-hook deletes the placeholder. When the
    topic terms change, newsradar.warehouse drops this table and it is rebuilt. #}

with article_topics as (
    select article_id, topic_id, fetched_at from {{ ref('int_article_topics') }}
),

articles as (
    select article_id, fetched_at, source_id, language, day, published_at
    from {{ ref('articles') }}
),

{% if is_incremental() %}
refresh as (
    {{ articles_to_refresh() }}
),

{% endif %}
joined as (
    select
        articles.article_id,
        article_topics.topic_id,
        articles.source_id,
        articles.language,
        articles.day,
        articles.published_at
    from article_topics
    -- the version join drops matches of superseded article versions
    inner join articles
        on article_topics.article_id = articles.article_id
        and article_topics.fetched_at = articles.fetched_at
    {% if is_incremental() %}
    where articles.article_id in (select article_id from refresh)
    {% endif %}
),

final as (
    select * from joined
    {% if is_incremental() %}
    union all
    select article_id, null, null, null, null, null
    from refresh
    where article_id not in (select article_id from joined)
    {% endif %}
)

select * from final
