from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from spiders.extract.dates import parse_structured_date, parse_text_date, url_date

BAKU = ZoneInfo("Asia/Baku")
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("30 November 2025 10:10", BAKU, datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),
        ("07 Апреля 2021 09:31", BAKU, datetime(2021, 4, 7, 5, 31, tzinfo=UTC)),
        ("7 апреля 2021", MOSCOW, datetime(2021, 4, 6, 21, 0, tzinfo=UTC)),
        ("7 апреля 2021 г., 14:05", MOSCOW, datetime(2021, 4, 7, 11, 5, tzinfo=UTC)),
        ("Nov 30, 2025", UTC, datetime(2025, 11, 30, tzinfo=UTC)),
        ("November 30th, 2025 at 3:45 pm", UTC, datetime(2025, 11, 30, 15, 45, tzinfo=UTC)),
        ("30.11.2025 10:10", BAKU, datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),
        ("10:10, 30.11.2025", BAKU, datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),
        ("Published: 2025-11-30 10:10", BAKU, datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),
        ("Updated 30 Nov 2025 10:10 GMT+2", BAKU, datetime(2025, 11, 30, 8, 10, tzinfo=UTC)),
        ("12 січня 2022", UTC, datetime(2022, 1, 12, tzinfo=UTC)),
        ("3 декабря 2024 года 18:00", MOSCOW, datetime(2024, 12, 3, 15, 0, tzinfo=UTC)),
        ("Tuesday, 3 Sept. 2024", UTC, datetime(2024, 9, 3, tzinfo=UTC)),
    ],
)
def test_text_dates(text, tz, expected):
    assert parse_text_date(text, tz) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Copyright © 2025",
        "no date here",
        "31 February 2024",
        "99.99.2020",
        "30 November 2999 10:10",
        "12.34.2020 10:10",
    ],
)
def test_text_without_valid_date(text):
    assert parse_text_date(text, UTC) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-11-30T10:10:00+04:00", datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),
        ("2025-11-30T06:10:00Z", datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),
        ("2025-11-30 10:10:00", datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),  # naive: outlet zone
        ("2025-11-30", datetime(2025, 11, 29, 20, 0, tzinfo=UTC)),
        ("Sun, 30 Nov 2025 06:10:00 GMT", datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),
        ("1764483000", datetime(2025, 11, 30, 6, 10, tzinfo=UTC)),
        ("07 Апреля 2021 09:31", datetime(2021, 4, 7, 5, 31, tzinfo=UTC)),
    ],
)
def test_structured_dates(value, expected):
    found = parse_structured_date(value, BAKU)
    assert found is not None and found.value.astimezone(UTC) == expected


def test_structured_date_rejects_garbage():
    for value in (None, "", "yesterday", "Monday", "0000-00-00", "2099-01-01"):
        assert parse_structured_date(value, UTC) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ex.com/2025/11/30/story", date(2025, 11, 30)),
        ("https://ex.com/news/2021-04-07/slug.html", date(2021, 4, 7)),
        ("https://ex.com/news/20210407/slug", date(2021, 4, 7)),
        ("https://ex.com/story/123456", None),
        ("https://ex.com/2025/13/45/story", None),
    ],
)
def test_url_dates(url, expected):
    assert url_date(url) == expected
