"""Gazetteer entities (people, places, organisations; alias patterns as data) found in each article
version, with the number of alias occurrences.

A Python model for the same reason as int_article_term_matches: each distinct pattern is a bound
parameter, compiled once. Incremental on fetched_at; rebuilt from the whole lake when the gazetteer
changes (newsradar.warehouse drops the table before the build).
"""


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="article_id")
    from newsradar.warehouse import entity_mention_counts, new_article_texts

    texts = new_article_texts(dbt, session, dbt.ref("stg_articles"), dbt.ref("int_articles_deduped"))
    return entity_mention_counts(session, texts, dbt.ref("stg_entity_terms"))
