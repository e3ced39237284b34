"""Which topic term matched which article version.

Patterns are RE2 expressions held as data (newsradar.topics), matched against
``lower(concat_ws(chr(10), title, subtitle, body))``. A Python model: newsradar.topics.scan compiles
every pattern into one Hyperscan prefilter, scans each batch of texts once and verifies the candidates
exactly, where SQL would run one RE2 pass per pattern and article. A term row with a language applies
only to articles in that language.

Incremental on lake files: only the versions int_articles_deduped keeps from files not read before
are matched. When the topic terms change, newsradar.warehouse drops this table before the build, so
it is rebuilt from the whole lake (see docs/decisions.md).
"""


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="article_id")
    from newsradar.warehouse import new_article_texts, topic_term_matches

    # the whole lake on a full build, else only the rows of lake files not read before (both refs stay
    # visible to dbt; only the one needed is opened: the view over the whole lake reads every file)
    lake = dbt.ref("stg_articles_new") if dbt.is_incremental else dbt.ref("stg_articles")
    texts = new_article_texts(dbt, session, lake, dbt.ref("int_articles_deduped"))
    return topic_term_matches(session, texts, dbt.ref("stg_topic_terms"))
