"""Follow-ups decided on evidence (BM25 and coverage, no model), not on length."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.side import open_query_side
from rag.settings import Settings

PREVIOUS = "Heeft het kabinet testkits van BGI gekocht?"


@pytest.fixture(scope="module")
def answerer(shipped_index: Path):
    return open_query_side(Settings().override("index", dir=str(shipped_index)), "bm25").answerer


@pytest.mark.parametrize(
    ("question", "follows"),
    [
        ("En wat deed het RIVM ermee?", True),  # weak alone, strong with the BGI question
        ("Gebruikt de NVWA Chinese drones?", False),  # short, but a question of its own
        ("Wat vindt het kabinet van Huawei in 5G-netwerken?", False),
    ],
)
def test_a_follow_up_is_read_with_the_previous_question(answerer, question, follows) -> None:
    expected = PREVIOUS if follows else ""
    assert answerer.follow_up_context(question, PREVIOUS) == expected


def test_no_previous_question_means_no_follow_up(answerer) -> None:
    assert answerer.follow_up_context("En wat deed het RIVM ermee?", "") == ""
