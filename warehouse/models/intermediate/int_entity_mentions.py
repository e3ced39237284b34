"""Gazetteer entities (people, places, organisations; alias patterns as data) found in each article
version, with the number of alias occurrences.

A Python model for the same reason as int_article_term_matches (newsradar.topics.scan). Incremental
on lake files; rebuilt from the whole lake when the gazetteer changes (newsradar.warehouse drops the
table before the build).
"""


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="article_id")
    from newsradar.warehouse import entity_mention_counts, new_article_texts

    # the whole lake on a full build, else only the rows of lake files not read before (both refs stay
    # visible to dbt; only the one needed is opened: the view over the whole lake reads every file)
    lake = dbt.ref("stg_articles_new") if dbt.is_incremental else dbt.ref("stg_articles")
    texts = new_article_texts(dbt, session, lake, dbt.ref("int_articles_deduped"))
    return entity_mention_counts(session, texts, dbt.ref("stg_entity_terms"))
