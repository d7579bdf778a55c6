""" "Has this been asked before?": matching new questions against the corpus's questions."""

from __future__ import annotations

import shutil

import pytest
from index_helpers import HashEmbedder

from rag.analysis.terms import Analyzer
from rag.errors import RagError
from rag.index.build import build_index
from rag.index.load import load_index
from rag.parsing import parse_file
from rag.retrieval.similar import QuestionFinder
from rag.settings import Settings


@pytest.fixture(scope="module")
def index(tmp_path_factory, seed_paths):
    root = tmp_path_factory.mktemp("similar")
    for name in ("001_f07640d600ade888", "002_6ae4c03786fa8873", "004_cf4a3fa9a5a68e27"):
        shutil.copy(seed_paths[name], root)
    settings = Settings().override("index", dir=str(root / "index"))
    build_index([root], settings, HashEmbedder(), parse=parse_file)
    return load_index(root / "index")


@pytest.fixture(scope="module")
def finder(index) -> QuestionFinder:
    return QuestionFinder(index, HashEmbedder())


def test_the_same_question_is_found_first_with_its_answers_address(finder, index) -> None:
    unit = index.units["004_cf4a3fa9a5a68e27#v3"]
    for mode in ("hybrid", "bm25", "dense"):
        top = finder.find(unit.question, k=3, mode=mode)[0]
        assert top.unit.unit_id == unit.unit_id
    top = finder.find(unit.question, k=3)[0]
    assert top.answered and top.kenmerk == "2022Z11285"
    d = top.to_dict()
    assert d["label"].startswith("Vraag 3") and d["vraag"] == [3] and d["answer"] == unit.answer


def test_a_reworded_question_without_answer_is_found_and_marked(finder, index) -> None:
    unit = index.units["002_6ae4c03786fa8873#v2"]
    words = unit.question.split()
    reworded = " ".join(words[len(words) // 3 :])  # the last two thirds, wording cut
    found = finder.find(reworded, k=5)
    assert found[0].unit.unit_id == unit.unit_id
    assert not found[0].answered and found[0].kenmerk is None


def test_matching_uses_question_text_not_answers(finder, index) -> None:
    analyzer = Analyzer()
    in_questions = {
        t for uid in index.question_ids for t in analyzer.tokens(index.units[uid].question)
    }
    answer_only = next(
        w
        for u in index.units.values()
        for w in u.answer.split()
        if analyzer.tokens(w) and not set(analyzer.tokens(w)) & in_questions
    )
    assert finder.find(answer_only, k=5, mode="bm25") == []
    hits = finder.find("China", k=50, mode="hybrid")
    assert hits and all(h.unit.question.strip() for h in hits)
    assert len({h.unit.unit_id for h in hits}) == len(hits)


def test_dense_matching_needs_an_embedder(index) -> None:
    with pytest.raises(RagError, match="need an embedder"):
        QuestionFinder(index, None).find("Huawei", mode="dense")
    assert QuestionFinder(index, None).find("Huawei 5G", mode="bm25")
