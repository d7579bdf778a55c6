"""The support check of one sentence against one source: facts, negation, meaning."""

from __future__ import annotations

import pytest

from rag.answering.choose import SentenceVectors
from rag.answering.support import (
    SupportChecker,
    garbled,
    missing_fact,
    negations,
    numbers,
)
from rag.parsing import parse_file


@pytest.fixture(scope="module")
def units(seed_paths) -> dict:
    doc = parse_file(seed_paths["001_f07640d600ade888"])
    return {u.unit_id.rsplit("#", 1)[1]: u for u in doc.units}


def test_numbers_are_read_without_their_separators() -> None:
    assert numbers("Kamerstuk 30 821, nr. 92 en 40.000 kits") == {"30821", "92", "40000"}


def test_every_fact_of_the_sentence_must_be_in_the_source(units) -> None:
    source = units["v8"].answer
    assert missing_fact("Er zijn 4 BGI-testkits besteld.", source) == ""
    assert missing_fact("Er zijn 40 BGI-testkits besteld.", source) == "40"
    assert missing_fact("Er zijn testkits van Huawei besteld.", source) == "Huawei"
    assert missing_fact("Zie 2021Z13647 over BGI.", source) == "2021Z13647"
    assert missing_fact("The Dutch RIVM ordered 4 kits from BGI in July.", source) == "July"


def test_negation_is_counted_in_dutch_and_english() -> None:
    assert negations("Er is geen onderzoek gedaan en niet gebruikt.") == 2
    assert negations("The kits were not used; there was no research.") == 2
    assert negations("Er is onderzoek gedaan.") == 0


def test_a_garbled_copy_of_a_source_word_is_caught(units) -> None:
    source = units["v8"].answer
    assert garbled("Er zijn in totaal 4 BGI testkitts besteld.", source) == "testkitts"
    assert garbled("Er zijn in totaal 4 BGI testkits besteld.", source) == ""
    assert garbled("De kits zijn bestelde voor een vergelijking.", source) == ""  # inflection


@pytest.fixture(scope="module")
def checker() -> SupportChecker:
    from rag.embedders.e5 import E5Embedder

    return SupportChecker(SentenceVectors(E5Embedder(threads=1)))


@pytest.mark.slow
def test_a_paraphrase_is_supported_and_a_changed_fact_or_negation_is_not(units, checker) -> None:
    v8 = units["v8"]
    good = checker.check(
        "Na de vergelijkingstest is met de BGI-kits geen vervolgonderzoek gedaan.", v8
    )
    assert good.ok and good.positions  # the highlight is the supporting source sentence
    parts = v8.answer.split(". ")
    assert any("vervolgonderzoek" in parts[i] for i in good.positions if i < len(parts))
    # an English sentence is held to the same facts: a changed number is rejected
    wrong = checker.check("In total 14 BGI test kits were ordered for a comparison test.", v8)
    assert not wrong.ok and wrong.reason.startswith("not in source")
    assert not checker.check(
        "Na de vergelijkingstest is met de BGI-kits wel vervolgonderzoek gedaan.", v8
    ).ok
    assert not checker.check("Er zijn in totaal 14 BGI testkits besteld.", v8).ok
    assert not checker.check("Er zijn in totaal 4 testkits van Huawei besteld.", v8).ok
    other = units["v27-28"]
    assert not checker.check(
        "Na de vergelijkingstest is met de BGI-kits geen vervolgonderzoek gedaan.", other
    ).ok
