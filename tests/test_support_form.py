"""A model's sentence must be a whole claim (rag/answering/support_form.py): the sentences
SmolLM2 wrote on the shipped corpus that the support check let through are broken; the
reference answers of eval/dev.jsonl, against their gold units, are not."""

from __future__ import annotations

import pytest

from rag.analysis.sentences import split_sentences
from rag.answering.cite import quotable_text
from rag.answering.support_form import broken, known_words
from rag.evaluation.gold import load_gold
from rag.parsing import parse_file
from rag.settings import REPO

BGI = "001_f07640d600ade888"

# written by SmolLM2-135M in `rag eval --mode generate` (fold B), each with the unit it cited
WRITTEN = {
    "v31-32": ("Ten aanzien van de Nederlandse Defensie Technologische en Industriële Basis "
               "hebben zijn.", "another ending"),
    "v16": ("Hiervoor zijn uiteenlopende scenario’s uitgewerkken, zoals.", "stops at 'zoals'"),
    "v55": ("China is in de afgelopen decennia uitgemiddelkem van de Nederlandse economie.",
            "no such word: 'uitgemiddelkem'"),
    "v54": ("Dat er in het zakelijk verkeer sprake zou zijn geweeste van manipulatie / "
            "onoorbare beïnvloeden?", "a question"),
}  # fmt: skip


@pytest.fixture(scope="module")
def corpus() -> dict[str, list]:
    return {p.stem: parse_file(p).units for p in sorted((REPO / "corpus").glob("*.txt"))}


def unit_of(corpus: dict, doc: str, key: str):
    return next(u for u in corpus[doc] if u.unit_id.endswith("#" + key))


@pytest.mark.parametrize("key", sorted(WRITTEN))
def test_what_the_small_model_wrote_is_broken(corpus, key: str) -> None:
    sentence, reason = WRITTEN[key]
    assert reason in broken(sentence, [quotable_text(unit_of(corpus, BGI, key))])


def test_a_paraphrase_and_a_copy_are_whole(corpus) -> None:
    source = [quotable_text(unit_of(corpus, BGI, "v5"))]
    assert broken("De Chinese overheid is niet om advies gevraagd bij het invoeren van de "
                  "lockdown.", source) == ""  # fmt: skip
    assert broken(source[0].split(". ")[0] + ".", source) == ""
    long = [quotable_text(unit_of(corpus, BGI, "v31-32"))]
    start = "Ten aanzien van de Nederlandse Defensie Technologische en Industriële Basis"
    assert broken(start + " hecht het kabinet waarde aan strategische autonomie.", long) == ""


def test_unfinished_and_dangling_sentences_are_broken() -> None:
    assert broken("Het kabinet heeft geen", []) == "an unfinished sentence"
    assert "stops at 'the'" in broken("The government bought the.", [])
    assert broken("Het kabinet neemt dit mee.", []) == ""  # a particle ends a Dutch clause


def test_compounds_and_inflections_of_listed_words_are_words() -> None:
    words = known_words()
    assert "uitgemiddelkem" not in words and "uitgewerkt" in words
    assert broken("Er zijn vier testkits besteld voor een vergelijkingstest.", []) == ""


def test_every_reference_answer_is_a_whole_claim(corpus) -> None:
    """138 sentences, Dutch and English, against the gold units they paraphrase."""
    checked = 0
    for item in load_gold(REPO / "eval" / "dev.jsonl"):
        if not item.answerable or not item.reference_answer:
            continue
        units = [u for u in corpus[item.gold[0].doc] if item.matches(u.doc, u.vraag)]
        sources = [quotable_text(u) for u in units]
        for sentence in split_sentences(item.reference_answer):
            assert broken(sentence, sources, item.question) == "", (item.id, sentence)
            checked += 1
    assert checked >= 130
