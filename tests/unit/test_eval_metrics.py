"""The benchmark scorer on tiny hand-made examples (and on the published baseline when present)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsradar.evaluation.metrics import PageScore, score_page, shingles, summarise

ZYTE = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "articles_zyte"


def test_shingles_are_a_multiset_of_4_token_runs():
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c") == {}
    assert shingles("a, b; c! d a b c d")[("a", "b", "c", "d")] == 2
    assert shingles("Привет, мир: это тест")[("Привет", "мир", "это", "тест")] == 1


def test_identical_texts_score_one():
    s = score_page("one two three four five", "one two three four five")
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


def test_both_empty_counts_as_perfect():
    s = score_page("", "")
    assert s.precision == 1.0 and s.recall == 1.0


def test_empty_prediction_is_left_out_of_precision():
    s = score_page("one two three four five", "")
    assert s.precision is None
    assert s.recall == 0.0


def test_partial_overlap_is_normalised():
    # gold shingles: abcd, bcde; predicted: abcd, bcdx -> tp 1, fp 1, fn 1, each divided by 3
    s = score_page("a b c d e", "a b c d x")
    assert s.tp == pytest.approx(1 / 3) and s.fp == pytest.approx(1 / 3) and s.fn == pytest.approx(1 / 3)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)


def test_counts_are_multisets():
    # gold: abcd x2, bcda, cdab, dabc (5); predicted: abcd once -> tp 1, fp 0, fn 4
    s = score_page("a b c d a b c d", "a b c d")
    assert s.precision == 1.0
    assert s.recall == pytest.approx(0.2)


def test_summary_values():
    scores = [PageScore(0.5, 0.5, 0.0), PageScore(1.0, 0.0, 0.0), PageScore(0.0, 0.0, 1.0)]
    s = summarise(scores)
    assert s.precision == pytest.approx((0.5 + 1.0) / 2)  # the third page (tp + fp == 0) is left out
    assert s.recall == pytest.approx((1.0 + 1.0 + 0.0) / 3)
    assert s.f1 == pytest.approx(2 * s.precision * s.recall / (s.precision + s.recall))
    assert s.pages == 3


@pytest.mark.skipif(not (ZYTE / "baselines" / "trafilatura.json").is_file(), reason="eval corpus not present")
def test_reproduces_published_trafilatura_figure():
    from newsradar.evaluation.extraction import load_baseline, load_corpus

    gold = load_corpus(ZYTE)
    out = load_baseline(ZYTE / "baselines" / "trafilatura.json")
    s = summarise(
        [score_page(v.get("articleBody"), (out.get(k) or {}).get("articleBody")) for k, v in gold.items()]
    )
    assert (round(s.f1, 3), round(s.precision, 3), round(s.recall, 3)) == (0.958, 0.938, 0.978)
    assert json.dumps(s.as_dict())
