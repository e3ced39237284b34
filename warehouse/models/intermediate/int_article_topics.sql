{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
    )
}}
-- depends_on: {{ ref('stg_articles_new') }}, {{ ref('int_articles_deduped') }}

{#- Topic queries in disjunctive normal form: an article matches a clause when every positive term
    of the clause matched and no negated term did; it matches a topic when any clause matches.
    A clause needs at least one positive term (a lone NOT never matches). Terms of a clause limited
    to a language only count for articles in that language (filtered in int_article_term_matches).
    Incremental: a build evaluates the versions it read (their matches are new); when the topic terms
    change, newsradar.warehouse drops this table and it is rebuilt for every article. #}

with matches as (
    select article_id, fetched_at, topic_id, term_id
    from {{ ref('int_article_term_matches') }}
    {% if is_incremental() %}
    where article_id in ({{ versions_read() }})
    {% endif %}
),

terms as (
    {#- the terms file repeats a topic's rows once per language: the clauses are the same -#}
    select distinct topic_id, clause_id, term_id, negated from {{ ref('stg_topic_terms') }}
),

clause_sizes as (
    select
        topic_id,
        clause_id,
        count(distinct term_id) filter (where not negated) as positive_terms
    from terms
    group by topic_id, clause_id
),

clause_hits as (
    select
        matches.article_id,
        matches.fetched_at,
        terms.topic_id,
        terms.clause_id,
        count(distinct terms.term_id) filter (where not terms.negated) as positive_hits,
        count(distinct terms.term_id) filter (where terms.negated) as negated_hits
    from matches
    inner join terms on matches.topic_id = terms.topic_id and matches.term_id = terms.term_id
    group by matches.article_id, matches.fetched_at, terms.topic_id, terms.clause_id
),

matched_clauses as (
    select clause_hits.*
    from clause_hits
    inner join clause_sizes
        on clause_hits.topic_id = clause_sizes.topic_id
        and clause_hits.clause_id = clause_sizes.clause_id
    where
        clause_sizes.positive_terms > 0
        and clause_hits.positive_hits = clause_sizes.positive_terms
        and clause_hits.negated_hits = 0
),

final as (
    select
        article_id,
        topic_id,
        max(fetched_at) as fetched_at,
        count(*) as matched_clauses
    from matched_clauses
    group by article_id, topic_id
)

select * from final
