"""Lenient feed/sitemap dates: always aware UTC, zone-less ones flagged."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from spiders.discovery import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu,28 Jul 2022 4:35:5 GMT+9", datetime(2022, 7, 27, 19, 35, 5, tzinfo=UTC)),
        ("Tue, 28 Nov 2017 21:19:26 -0800", datetime(2017, 11, 29, 5, 19, 26, tzinfo=UTC)),
        ("Tue, 07 Sep 2021 02:47:57 +0200", datetime(2021, 9, 7, 0, 47, 57, tzinfo=UTC)),
        ("Sat, 7 Sep 2019 10:00 EST", datetime(2019, 9, 7, 15, 0, tzinfo=UTC)),
        ("Mon, 06 Sep 2021 10:00:00 MSK", datetime(2021, 9, 6, 7, 0, tzinfo=UTC)),
        ("Mon, 2 Dec 2024 9:03:01 +0530", datetime(2024, 12, 2, 3, 33, 1, tzinfo=UTC)),
        ("Fri, 22 Nov 2024 14:05:00 UTC+03:00", datetime(2024, 11, 22, 11, 5, tzinfo=UTC)),
        ("2020-05-11T09:00:01Z", datetime(2020, 5, 11, 9, 0, 1, tzinfo=UTC)),
        ("2019-03-01T11:01:00-05:00", datetime(2019, 3, 1, 16, 1, tzinfo=UTC)),
        ("2020-05-05T16:01:00+0300", datetime(2020, 5, 5, 13, 1, tzinfo=UTC)),
        ("2020-05-11T09:00:01.123456789Z", datetime(2020, 5, 11, 9, 0, 1, 123456, tzinfo=UTC)),
        ("  2004-10-01T18:23:17+00:00\n", datetime(2004, 10, 1, 18, 23, 17, tzinfo=UTC)),
        ("Thu, 27 Nov 2025 13:45:00 +03:00", datetime(2025, 11, 27, 10, 45, tzinfo=UTC)),
        (
            "Thu Nov 27 2025 13:45:00 GMT+0300 (Moscow Standard Time)",
            datetime(2025, 11, 27, 10, 45, tzinfo=UTC),
        ),
        ("Thu, 27 Nov 2025 13:45:00 Z", datetime(2025, 11, 27, 13, 45, tzinfo=UTC)),
        ("1732700000", datetime(2024, 11, 27, 9, 33, 20, tzinfo=UTC)),
    ],
)
def test_dates_with_zone(text, expected):
    value, assumed = parse_date(text)
    assert value == expected and value.tzinfo is UTC and not assumed


@pytest.mark.parametrize(
    ("text", "utc_value"),
    [
        ("2016-11-21", datetime(2016, 11, 21, tzinfo=UTC)),
        ("2024-11-22 14:05:00", datetime(2024, 11, 22, 14, 5, tzinfo=UTC)),
        ("Thu, 28 Jul 2022 04:35:05", datetime(2022, 7, 28, 4, 35, 5, tzinfo=UTC)),
        ("November 22, 2024 2:05 pm", datetime(2024, 11, 22, 14, 5, tzinfo=UTC)),
        ("05.11.2025 13:45", datetime(2025, 11, 5, 13, 45, tzinfo=UTC)),  # dotted dates are day-first
        ("27.11.2025 13:45", datetime(2025, 11, 27, 13, 45, tzinfo=UTC)),
    ],
)
def test_dates_without_zone_are_flagged(text, utc_value):
    assert parse_date(text) == (utc_value, True)
    baku, assumed = parse_date(text, ZoneInfo("Asia/Baku"))
    # the same wall-clock time, read in Baku (UTC+4)
    assert assumed and baku == utc_value.replace(tzinfo=ZoneInfo("Asia/Baku")).astimezone(UTC)
    assert baku.tzinfo is UTC and (utc_value - baku).total_seconds() == 4 * 3600


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "garbage",
        "10:30",
        "2024-13-45",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "0000-00-00",
        "Thu,28 Jul 2022 4:35:5 GMT+98",
        "9999-12-31T23:59:59-14:00",
    ],
)
def test_unusable_dates(text):
    assert parse_date(text) == (None, False)
