"""Dutch BM25: analyzer choices, scoring on seed units, save -> load."""

from __future__ import annotations

import numpy as np
import pytest
from index_helpers import hand_units

from rag.analysis.terms import STOPWORDS, Analyzer, fold, stopwords_hash
from rag.index.lexical import LexicalIndex


@pytest.fixture(scope="module")
def units(seed_paths):
    return hand_units(seed_paths["001_f07640d600ade888"]).units


@pytest.fixture(scope="module")
def lexical(units) -> LexicalIndex:
    return LexicalIndex.build([u.text for u in units], Analyzer(), k1=1.5, b=0.75)


def test_negations_survive_and_function_words_go() -> None:
    tokens = Analyzer().tokens("Het kabinet heeft geen testkits gekocht en is dat niet van plan")
    assert "geen" in tokens and "niet" in tokens
    assert not {"het", "heeft", "en", "is", "dat", "van"} & set(tokens)
    assert "niet" not in STOPWORDS and "geen" not in STOPWORDS


def test_diacritics_and_inflection_meet() -> None:
    a = Analyzer()
    assert fold("gecoördineerd Ëen café") == "gecoordineerd een cafe"
    assert a.tokens("coördinatie") == a.tokens("coordinatie")
    assert a.tokens("vragen") == a.tokens("vraag")
    assert a.tokens("sancties investeringen") == a.tokens("sanctie investering")


def test_stopword_hash_changes_with_the_list() -> None:
    assert stopwords_hash() != stopwords_hash(STOPWORDS[:-1])
    assert len(stopwords_hash()) == 64


def test_bm25_finds_the_unit_that_uses_the_words(units, lexical) -> None:
    scores = lexical.scores("Heeft Nederland COVID-testkits van de BGI Group aangeschaft?")
    best = units[int(np.argmax(scores))]
    assert "BGI" in best.text and "testkits" in best.text
    assert scores.shape == (len(units),)


def test_unknown_words_score_zero(lexical, units) -> None:
    assert not lexical.scores("xyzzy qwerty").any()
    assert not lexical.scores("de het een").any()  # only stopwords


def test_save_then_load_scores_identically(lexical, tmp_path) -> None:
    lexical.save(tmp_path)
    assert not list(tmp_path.glob("*.pkl"))
    loaded = LexicalIndex.load(tmp_path, Analyzer())
    assert type(loaded.bm25).__name__ == "CscScores"  # queries score without bm25s
    queries = [
        "oorsprong van het virus", "Oeigoeren Xinjiang sancties", "Huawei 5G",
        "China China China mensenrechten", "geen testkits niet gebruikt", "xyzzy",
    ]  # fmt: skip
    for query in queries:
        np.testing.assert_array_equal(loaded.scores(query), lexical.scores(query))
