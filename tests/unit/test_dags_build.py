"""prepare_build / publish_build: the staging copy the cosmos tasks build into, and its publication."""

from __future__ import annotations

import duckdb
import pytest

from newsradar.orchestration.build import DBT_ENV_KEYS, PublishError, build_dir, prepare_build, publish_build
from newsradar.orchestration.config import OrchestrationConfig

SOURCES = """
- {id: alpha, name: Alpha, homepage: "http://127.0.0.21/", languages: [en], timezone: UTC, article_url: /news/}
"""


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    (tmp_path / "sources.yaml").write_text(SOURCES)
    monkeypatch.setenv("NEWSRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSRADAR_SOURCES", str(tmp_path / "sources.yaml"))
    return OrchestrationConfig.from_env()


def test_first_build_has_no_copy_and_a_complete_dbt_environment(cfg):
    prepared = prepare_build(cfg)
    paths = cfg.paths()
    assert set(DBT_ENV_KEYS) <= set(prepared["env"])
    assert prepared["env"]["NEWSRADAR_DBT_DATABASE"] == prepared["staging"]
    assert prepared["staging"].startswith(str(build_dir(paths)))
    assert prepared["incremental"] is False and prepared["refreshed"] == []
    assert not paths.warehouse_path.exists()


def test_copy_of_the_published_warehouse_drops_models_whose_terms_changed(cfg):
    paths = cfg.paths()
    paths.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse_path)) as con:
        con.execute("create table _build_meta (key varchar, value varchar)")
        con.execute(
            "insert into _build_meta values ('topic_terms_hash', 'old'), ('entity_terms_hash', 'old')"
        )
        con.execute("create schema intermediate")
        con.execute("create table intermediate.int_article_topics (x int)")
        con.execute("create table main.articles (x int)")
    prepared = prepare_build(cfg)
    assert prepared["incremental"] is True
    assert "int_article_topics" in prepared["refreshed"] and "int_entity_mentions" in prepared["refreshed"]
    with duckdb.connect(prepared["staging"], read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert "articles" in tables and "int_article_topics" not in tables
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:  # the published file is untouched
        assert con.execute("select count(*) from intermediate.int_article_topics").fetchone() == (0,)


def test_publish_refuses_an_incomplete_staging_file(cfg):
    prepared = prepare_build(cfg)
    with pytest.raises(PublishError, match="no staging warehouse"):
        publish_build(prepared, cfg)
    with duckdb.connect(prepared["staging"]) as con:
        con.execute("create table articles (x int)")
    with pytest.raises(PublishError, match="lacks mart"):
        publish_build(prepared, cfg)
    assert not cfg.paths().warehouse_path.exists()
