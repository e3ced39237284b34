"""Orchestration: the functions Airflow DAGs call (``dags/`` stays short and declarative).

Nothing here imports Airflow at module level except ``alerts`` (the notifier class) and
``dbt_group`` (cosmos), so the CLI and the tests can use the rest without an Airflow install.
"""

LAKE_ARTICLES_ASSET_URI = "newsradar://lake/articles"
