"""A question whose answers are a Mededeling (a notice in place of the answers) is answered
by quoting that Mededeling, which the question units link to (Unit.see_units)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.answering.side import open_query_side
from rag.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def side(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from rag.cli.main import main

    pdf = next((shared_data / "aanhangsel-pdfs").glob("01bf9f06*.pdf"))
    folder = tmp_path_factory.mktemp("mededeling") / "index"
    assert main(["index", "build", str(pdf), "--index", str(folder)]) == 0
    return open_query_side(Settings().override("index", dir=str(folder)), "hybrid")


def test_the_delayed_answers_are_quoted_from_the_mededeling(side) -> None:
    question = (
        "Waarom zijn de vragen over de juridische analyses van het hoofdlijnenakkoord "
        "niet los beantwoord?"
    )
    units = side.index.units
    asked = [u for u in units.values() if u.kind == "question"]
    notice = next(u for u in units.values() if u.label == "Mededeling")
    assert asked and all(notice.unit_id in u.see_units for u in asked)
    answer = side.answerer.ask(question, mode="quote")
    assert not answer.refused
    assert [c.unit_id for c in answer.citations] == [notice.unit_id]
    assert "beantwoord middels een brief" in re.sub(r"\s+", " ", answer.answer)
