"""The sources loader's errors name the file, the entry and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from newsradar.sources import SourcesError, load_sources

GOOD = """\
  - id: caliber_az
    name: Caliber.Az
    homepage: https://caliber.az/
    languages: [en, ru]
    timezone: Asia/Baku
    article_url: ^https://caliber\\.az/(?:en/)?post/
"""
SECOND = """\
  - id: tass_en
    name: TASS
    homepage: https://tass.com/
    languages: [en]
    timezone: Europe/Moscow
    discovery:
      feeds: [https://tass.com/rss/v2.xml]
    article_url: ^https://tass\\.com/[a-z-]+/\\d+
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + body, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    return str(info.value)


def test_good_file_loads(tmp_path):
    sources = load_sources(write(tmp_path, GOOD + SECOND))
    assert [s.id for s in sources] == ["caliber_az", "tass_en"]
    assert sources[1].discovery.feeds == ["https://tass.com/rss/v2.xml"]


def test_bad_id(tmp_path):
    path = write(tmp_path, SECOND + GOOD.replace("id: caliber_az", "id: Caliber-AZ"))
    msg = error_of(path)
    assert msg.startswith(f"{path}: entry 2 (id 'Caliber-AZ'): field 'id': ")
    assert "[a-z0-9_]+" in msg


def test_unknown_timezone(tmp_path):
    msg = error_of(path := write(tmp_path, GOOD.replace("Asia/Baku", "Asia/Bakuu")))
    assert msg == (
        f"{path}: entry 1 (id 'caliber_az'): field 'timezone': unknown time zone 'Asia/Bakuu' "
        "(use an IANA name such as 'Asia/Baku')"
    )


def test_bad_regex(tmp_path):
    msg = error_of(path := write(tmp_path, GOOD + SECOND.replace(r"\d+", r"(\d+")))
    assert msg.startswith(f"{path}: entry 2 (id 'tass_en'): field 'article_url': invalid regular expression")


def test_bad_regex_in_overrides(tmp_path):
    body = GOOD + "    overrides:\n      views_regex: '(Views: [0-9'\n"
    msg = error_of(path := write(tmp_path, body))
    assert msg.startswith(
        f"{path}: entry 1 (id 'caliber_az'): field 'overrides.views_regex': invalid regular"
    )


def test_unknown_field(tmp_path):
    msg = error_of(path := write(tmp_path, GOOD + "    homepgae: https://caliber.az/\n"))
    assert msg == f"{path}: entry 1 (id 'caliber_az'): field 'homepgae': unknown field"


def test_unknown_nested_field(tmp_path):
    msg = error_of(path := write(tmp_path, GOOD + "    discovery:\n      feed: [https://caliber.az/rss]\n"))
    assert msg == f"{path}: entry 1 (id 'caliber_az'): field 'discovery.feed': unknown field"


def test_bad_feed_url(tmp_path):
    msg = error_of(path := write(tmp_path, GOOD + "    discovery:\n      feeds: [caliber.az/rss]\n"))
    assert msg.startswith(f"{path}: entry 1 (id 'caliber_az'): field 'discovery.feeds': ")
    assert "not an absolute http(s) URL" in msg


def test_missing_required_field(tmp_path):
    msg = error_of(path := write(tmp_path, GOOD.replace("    timezone: Asia/Baku\n", "")))
    assert msg == f"{path}: entry 1 (id 'caliber_az'): field 'timezone': Field required"


def test_duplicate_id(tmp_path):
    msg = error_of(path := write(tmp_path, GOOD + SECOND + GOOD))
    assert (
        msg
        == f"{path}: entry 3 (id 'caliber_az'): field 'id': duplicate id 'caliber_az' (first used by entry 1)"
    )


def test_invalid_yaml_names_the_line(tmp_path):
    body = GOOD + "    languages: [en, ru\n" + SECOND
    path = write(tmp_path, body)
    msg = error_of(path)
    assert msg.startswith(f"{path}: invalid YAML at line ")
    line = int(msg.split("at line ")[1].split(",")[0])
    assert 8 <= line <= 10  # the unclosed flow sequence opened on line 8


def test_tab_indentation_is_invalid_yaml(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(
        textwrap.dedent("""\
        sources:
          - id: a
        \tname: A
        """),
        encoding="utf-8",
    )
    assert error_of(path).startswith(f"{path}: invalid YAML at line 3")


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    assert error_of(path) == f"{path}: no such sources file"


def test_not_a_list(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources: 42\n", encoding="utf-8")
    assert error_of(path) == f"{path}: expected a list of sources (or a mapping with a 'sources' list)"


def test_entry_not_a_mapping(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("- just a string\n", encoding="utf-8")
    assert error_of(path) == f"{path}: entry 1: expected a mapping, got str"
