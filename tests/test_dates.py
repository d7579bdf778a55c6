"""Dates typed for a filter: one parser for the CLI and the UI (rag.analysis.dates)."""

from __future__ import annotations

import argparse

import pytest

from rag.analysis.dates import date_range, parse_date
from rag.cli.search import filters_from
from rag.errors import RagError


@pytest.mark.parametrize(
    ("text", "end", "day"),
    [
        ("2022", False, "2022-01-01"),
        ("2022", True, "2022-12-31"),  # an end year keeps a document of June 2022
        ("2022-06", True, "2022-06-30"),
        ("2024-02", True, "2024-02-29"),  # leap year
        ("2023-02", True, "2023-02-28"),
        ("2021-07", False, "2021-07-01"),
        ("2021-07-13", True, "2021-07-13"),
        ("13-07-2021", False, "2021-07-13"),
        ("7-6-2022", True, "2022-06-07"),
        ("07/06/2022", False, "2022-06-07"),
        (" 2021 ", False, "2021-01-01"),
    ],
)
def test_accepted_forms(text: str, end: bool, day: str) -> None:
    assert parse_date(text, end=end) == day


@pytest.mark.parametrize("text", ["gisteren", "2021-13-45", "2021-13", "31-02-2021", "21", ""])
def test_rejected_forms_name_the_accepted_ones(text: str) -> None:
    with pytest.raises(RagError) as info:
        parse_date(text, end=False)
    message = str(info.value)
    assert "YYYY-MM-DD" in message and "DD-MM-YYYY" in message and "\n" not in message


def test_range_open_sides_and_reversed() -> None:
    assert date_range("2021", "2021") == ("2021-01-01", "2021-12-31")
    assert date_range(None, "2022") == (None, "2022-12-31")
    assert date_range("  ", None) == (None, None)
    with pytest.raises(RagError, match="reversed"):
        date_range("2023", "2022-06")


def _args(start: str | None, end: str | None) -> argparse.Namespace:
    return argparse.Namespace(doc=[], kind=[], date_from=start, date_to=end)


def test_cli_filters_use_the_same_rules() -> None:
    filters = filters_from(_args("01-06-2022", "2022"))
    assert filters is not None
    assert (filters.date_from, filters.date_to) == ("2022-06-01", "2022-12-31")
    with pytest.raises(RagError, match="^--to 'gisteren'"):
        filters_from(_args(None, "gisteren"))
    with pytest.raises(RagError, match="reversed"):
        filters_from(_args("2023", "2022"))
