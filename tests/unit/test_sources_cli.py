"""``newsradar sources check`` and ``newsradar sources list``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsradar.cli import main

REPO_SOURCES = Path(__file__).resolve().parents[2] / "sources.yaml"

ONE = """\
sources:
  - id: tass_en
    name: TASS
    homepage: https://tass.com/
    languages: [en]
    timezone: Europe/Moscow
    discovery:
      feeds: [https://tass.com/rss/v2.xml]
    article_url: ^https://tass\\.com/[a-z-]+/\\d+
  - id: caliber_az
    name: Caliber.Az
    homepage: https://caliber.az/
    languages: [en, ru]
    timezone: Asia/Baku
    enabled: false
    discovery:
      listing_pages:
        - url: https://caliber.az/en
          pagination: {param: page, max_pages: 3}
      autodiscover: false
    article_url: /post/
"""


@pytest.fixture
def two(tmp_path) -> Path:
    path = tmp_path / "two.yaml"
    path.write_text(ONE, encoding="utf-8")
    return path


def test_check_ok(two, capsys):
    assert main(["sources", "check", str(two)]) == 0
    assert capsys.readouterr().out == "2 sources OK (1 disabled)\n"


def test_check_repo_file_and_default_from_environment(monkeypatch, capsys):
    monkeypatch.setenv("NEWSRADAR_SOURCES", str(REPO_SOURCES))
    assert main(["sources", "check"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(" sources OK\n") and int(out.split()[0]) >= 11


def test_check_error_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(ONE.replace("id: caliber_az", "id: Caliber-AZ"), encoding="utf-8")
    assert main(["sources", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newsradar: error: {path}: entry 2 (id 'Caliber-AZ'): field 'id': ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_check_missing_file(tmp_path, capsys):
    assert main(["sources", "check", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: no such sources file" in capsys.readouterr().err


def test_check_cross_field_rules(tmp_path, capsys):
    path = tmp_path / "offsite.yaml"
    path.write_text(
        ONE.replace("url: https://caliber.az/en", "url: https://other.example.com/en"), encoding="utf-8"
    )
    assert main(["sources", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "entry 2 (id 'caliber_az'): field 'discovery.listing_pages.0.url': host 'other.example.com'" in err

    path.write_text(
        ONE.replace(
            "      listing_pages:\n        - url: https://caliber.az/en\n"
            "          pagination: {param: page, max_pages: 3}\n",
            "      robots: false\n",
        ),
        encoding="utf-8",
    )
    assert main(["sources", "check", str(path)]) == 2
    assert "entry 2 (id 'caliber_az'): field 'discovery': no way to find articles" in capsys.readouterr().err

    path.write_text(
        ONE.replace(
            "    homepage: https://tass.com/\n",
            "    homepage: https://tass.com/\n    allowed_domains: [tass.ru]\n",
        ),
        encoding="utf-8",
    )
    assert main(["sources", "check", str(path)]) == 2
    assert "field 'allowed_domains': the homepage host 'tass.com'" in capsys.readouterr().err


def test_list_table(two, capsys):
    assert main(["sources", "list", str(two)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "LANGUAGES", "TIMEZONE", "DISCOVERY", "ENABLED"]
    assert lines[1].split() == [
        "tass_en",
        "TASS",
        "en",
        "Europe/Moscow",
        "feeds:1",
        "robots",
        "autodiscover",
        "yes",
    ]
    assert lines[2].split() == [
        "caliber_az",
        "Caliber.Az",
        "en,ru",
        "Asia/Baku",
        "listing_pages:1",
        "robots",
        "no",
    ]


def test_list_json(two, capsys):
    assert main(["sources", "list", str(two), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["tass_en", "caliber_az"]
    assert rows[0]["discovery_kinds"] == ["feeds", "robots", "autodiscover"]
    assert rows[0]["discovery"]["feeds"] == ["https://tass.com/rss/v2.xml"]
    assert rows[1] == {
        "id": "caliber_az",
        "name": "Caliber.Az",
        "homepage": "https://caliber.az/",
        "country": None,
        "languages": ["en", "ru"],
        "timezone": "Asia/Baku",
        "discovery_kinds": ["listing_pages", "robots"],
        "discovery": {
            "feeds": [],
            "sitemaps": [],
            "listing_pages": ["https://caliber.az/en"],
            "robots": True,
            "autodiscover": False,
        },
        "enabled": False,
    }


def test_list_bad_file_exit_2(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("sources:\n  - id: [unclosed\n", encoding="utf-8")
    assert main(["sources", "list", str(path)]) == 2
    assert "invalid YAML at line" in capsys.readouterr().err


def test_bare_sources_prints_usage(capsys):
    assert main(["sources"]) == 2
    assert "check" in capsys.readouterr().err


def test_check_feed_on_another_host_needs_allowed_domains(tmp_path, capsys):
    path = tmp_path / "feedhost.yaml"
    path.write_text(
        ONE.replace("feeds: [https://tass.com/rss/v2.xml]", "feeds: [https://feeds.tass.example/v2.xml]"),
        encoding="utf-8",
    )
    assert main(["sources", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        "entry 1 (id 'tass_en'): field 'discovery.feeds.0': host 'feeds.tass.example' is outside the "
        "source's domains ['tass.com']"
    ) in err
    path.write_text(
        ONE.replace(
            "feeds: [https://tass.com/rss/v2.xml]", "feeds: [https://feeds.tass.example/v2.xml]"
        ).replace(
            "    homepage: https://tass.com/\n",
            "    homepage: https://tass.com/\n    allowed_domains: [tass.com, feeds.tass.example]\n",
        ),
        encoding="utf-8",
    )
    assert main(["sources", "check", str(path)]) == 0


def test_check_rejects_an_article_pattern_that_matches_the_homepage(tmp_path, capsys):
    path = tmp_path / "broad.yaml"
    path.write_text(ONE.replace("article_url: /post/", "article_url: caliber"), encoding="utf-8")
    assert main(["sources", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "entry 2 (id 'caliber_az'): field 'article_url': the pattern also matches the homepage" in err
