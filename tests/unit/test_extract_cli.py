from __future__ import annotations

import json
from pathlib import Path

from newsradar.cli import main

PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "caliber_en_like.html"
SOURCES = """
sources:
  - id: caliber_en
    name: Caliber
    homepage: https://caliber.az/en
    languages: [en]
    timezone: Asia/Baku
    article_url: /en/post/
    overrides:
      section: ".news-inner__category a::text"
"""


def test_extract_prints_contract_json_with_source(tmp_path, capsys):
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES)
    rc = main(
        [
            "extract",
            str(PAGE),
            "--url",
            "https://caliber.az/en/post/x",
            "--source",
            "caliber_en",
            "--sources",
            str(sources),
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["published_at"] == "2025-11-30T06:10:00Z"
    assert out["section"] == "Analytics"
    assert out["views"] == 89
    assert out["source_id"] == "caliber_en"
    for field in (
        "url",
        "canonical_url",
        "domain",
        "language",
        "title",
        "subtitle",
        "body",
        "authors",
        "tags",
        "modified_at",
        "date_source",
        "content_hash",
        "simhash",
        "word_count",
        "image_url",
        "extractor",
        "is_article",
    ):
        assert field in out


def test_extract_timezone_flag(capsys):
    assert (
        main(["extract", str(PAGE), "--url", "https://caliber.az/en/post/x", "--timezone", "Europe/London"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["published_at"] == "2025-11-30T10:10:00Z"


def test_extract_errors_are_one_line(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "missing.html"), "--url", "https://x.com/a"]) == 2
    assert "missing.html: no such file" in capsys.readouterr().err
    assert (
        main(
            [
                "extract",
                str(PAGE),
                "--url",
                "https://x.com/a",
                "--source",
                "x",
                "--sources",
                str(tmp_path / "none.yaml"),
            ]
        )
        == 2
    )
    assert "no such sources file" in capsys.readouterr().err
    assert main(["extract", str(PAGE), "--url", "https://x.com/a", "--timezone", "Mars/Base"]) == 2
    assert "unknown time zone" in capsys.readouterr().err
    sources = tmp_path / "s.yaml"
    sources.write_text(SOURCES)
    assert (
        main(
            ["extract", str(PAGE), "--url", "https://x.com/a", "--source", "nope", "--sources", str(sources)]
        )
        == 2
    )
    assert "unknown source id" in capsys.readouterr().err
