"""Which topic term matched which article version.

Patterns are RE2 expressions held as data, matched against
``lower(concat_ws(chr(10), title, subtitle, body))`` (the newsradar.topics contract). A Python model
because a pattern that is a column is compiled by DuckDB again for every row (milliseconds each with
Unicode classes); ``newsradar.topics.match_patterns`` binds each distinct pattern as a query
parameter instead, so it is compiled once and evaluated for all articles in one scan. A term row with
a language applies only to articles in that language.

Incremental: only article versions fetched after the latest one processed are matched. When the
topic terms change, newsradar.warehouse drops this table before the build, so it is rebuilt from
the whole lake (see docs/decisions.md).
"""


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="article_id")
    from newsradar.warehouse import new_article_texts, topic_term_matches

    texts = new_article_texts(dbt, session, dbt.ref("stg_articles"), dbt.ref("int_articles_deduped"))
    return topic_term_matches(session, texts, dbt.ref("stg_topic_terms"))
