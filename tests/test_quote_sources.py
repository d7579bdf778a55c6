"""Which units an answer quotes: the gate's language allowance and the rule for a second or
third source (rag/answering/gate.py), on hand-made units and on the shipped corpus."""

from __future__ import annotations

import re

import pytest

from rag.answering.gate import GateSettings, also_cite, passes, strength
from rag.types import Unit

S = GateSettings()


def unit(uid: str, kind: str = "qa", doc: str = "001") -> Unit:
    vraag = None if kind == "paragraph" else (int(uid[1:]),)
    return Unit(doc=doc, unit_id=f"{doc}#{uid}", kind=kind, vraag=vraag, label=uid)  # type: ignore[arg-type]


def test_an_english_question_needs_a_little_less_strength() -> None:
    dense, question = 0.87, 0.86  # strength 1.3 + 0.1 * coverage
    assert strength(0.2, dense, question, S) < S.threshold
    assert not passes(0.2, dense, question, S, "nl")
    assert passes(0.2, dense, question, S, "en")  # cross-lingual cosines run lower
    assert not passes(0.2, dense - 0.05, question, S, "en")  # but not much lower
    assert passes(0.2, None, None, S, "en") is False and passes(0.3, None, None, S, "en")


def test_a_second_unit_is_cited_only_with_its_own_evidence() -> None:
    first, other = unit("v30"), unit("v31")
    best = {first.unit_id: 0.85, other.unit_id: 0.88}
    by_id = lambda u: best[u.unit_id]  # noqa: E731
    assert also_cite(first, other, (1.40, 1.395), by_id, S)  # as strong, a closer sentence
    assert not also_cite(first, other, (1.40, 1.30), by_id, S)  # clearly weaker
    best[other.unit_id] = 0.86  # its best sentence hardly closer than the first's
    assert not also_cite(first, other, (1.40, 1.395), by_id, S)


def test_a_letter_answers_in_paragraphs_of_its_own() -> None:
    never = lambda u: 0.0  # noqa: E731
    p1, p4 = unit("p1", "paragraph", "003"), unit("p4", "paragraph", "003")
    assert also_cite(p4, p1, (1.40, 1.33), never, S)  # the same letter's passing paragraph
    other_letter = unit("p2", "paragraph", "005")
    assert not also_cite(p4, other_letter, (1.40, 1.33), never, S)
    assert not also_cite(p4, unit("v7", "qa", "003"), (1.40, 1.33), never, S)


@pytest.fixture(scope="module")
def side(shipped_side):
    return shipped_side


@pytest.mark.slow
def test_the_ministers_letter_is_quoted_from_the_paragraphs_that_answer(side) -> None:
    answer = side.answerer.ask(
        "Wat doet het kabinet aan de export van surveillancetechnologie?", mode="quote"
    )
    assert not answer.refused and len(answer.citations) >= 2
    for c in answer.citations:  # each a paragraph of the letter, quoted with its own marker
        assert c.doc == "003_54dab813ef9c6552" and c.vraag is None
        assert f"» [{c.n}]" in answer.answer
        assert re.sub(r"\s+", " ", c.quote)[:40] in re.sub(r"\s+", " ", answer.answer)
