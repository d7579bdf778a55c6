"""Chunking: units split by the embedder's own token count, at word starts, with overlap."""

from __future__ import annotations

import re

import pytest
from index_helpers import hand_units

from rag.embedders.st import bundled_model_dir
from rag.index.chunk import Chunker, WordSpans, embed_text, token_spans_for
from rag.types import DocMeta, Passage


@pytest.fixture(scope="module")
def wordpieces():
    return token_spans_for(bundled_model_dir(), "bundled:all-MiniLM-L6-v2")


@pytest.fixture(scope="module")
def seed_text(seed_paths) -> str:
    return seed_paths["001_f07640d600ade888"].read_text(encoding="utf-8")


def test_wordpiece_counts_match_the_embedders_tokenizer(wordpieces) -> None:
    from tokenizers import Tokenizer

    text = "Wat betekenen de sterke aanwijzingen dat COVID-19 in een Chinees laboratorium,1 ..."
    tok = Tokenizer.from_file(str(bundled_model_dir() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    expected = len(tok.encode(text, add_special_tokens=False).ids)
    # tokenizer.json pads and truncates to 128; counting must do neither
    assert len(wordpieces.spans(text)) == expected < 128
    assert len(wordpieces.spans(text * 20)) == 20 * expected


def test_short_unit_is_one_passage_equal_to_its_text(wordpieces, seed_paths) -> None:
    doc = hand_units(seed_paths["004_cf4a3fa9a5a68e27"])
    unit = doc.units[0]
    chunker = Chunker(wordpieces, max_tokens=200, overlap_tokens=40)
    assert len(wordpieces.spans(unit.text)) <= 200
    assert chunker.split(unit.text) == [unit.text.strip()]


def test_long_text_is_split_within_budget_covering_every_word(wordpieces, seed_text) -> None:
    text = seed_text[:12000]
    chunker = Chunker(wordpieces, max_tokens=120, overlap_tokens=30)
    pieces = chunker.split(text)
    assert len(pieces) > 10
    assert all(len(wordpieces.spans(p)) <= 120 for p in pieces)
    # every word of the text is in some piece, in order: nothing is lost between windows
    words = text.split()
    joined = " ".join(" ".join(p.split()) for p in pieces)
    assert all(w in joined for w in words)
    for a, b in zip(pieces, pieces[1:], strict=False):
        assert a.split()[-3:] != b.split()[-3:]
        overlap = set(a.split()[-8:]) & set(b.split()[:20])
        assert overlap, "consecutive passages should overlap"


def test_pieces_start_and_end_on_whole_words(wordpieces, seed_text) -> None:
    text = seed_text[:8000]
    chunker = Chunker(wordpieces, max_tokens=100, overlap_tokens=20)
    vocabulary = set(re.findall(r"\S+", text))
    for piece in chunker.split(text):
        first, last = piece.split()[0], piece.split()[-1]
        assert first in vocabulary and last in vocabulary, (first, last)


def test_passages_keep_their_unit_and_number_consecutively(wordpieces, seed_paths) -> None:
    doc = hand_units(seed_paths["001_f07640d600ade888"])
    chunker = Chunker(wordpieces, max_tokens=60, overlap_tokens=10)
    passages = chunker.passages(doc.units, first_id=7)
    assert [p.passage_id for p in passages] == list(range(7, 7 + len(passages)))
    assert len(passages) > len(doc.units)  # some units are longer than 60 word pieces
    by_unit: dict[str, list[Passage]] = {}
    for p in passages:
        by_unit.setdefault(p.unit_id, []).append(p)
    assert set(by_unit) == {u.unit_id for u in doc.units if u.text.strip()}
    for parts in by_unit.values():
        assert [p.part for p in parts] == list(range(len(parts)))


def test_embedded_text_carries_title_and_label(seed_paths) -> None:
    unit = hand_units(seed_paths["004_cf4a3fa9a5a68e27"]).units[2]
    meta = DocMeta(doc=unit.doc, kind="answers", title="Digitale vervolging door China")
    passage = Passage(0, unit.unit_id, unit.doc, unit.text[:50])
    text = embed_text(passage, unit, meta)
    assert text.startswith("Digitale vervolging door China | Vraag 3\n")
    assert text.endswith(unit.text[:50])


def test_word_fallback_and_bad_overlap() -> None:
    assert WordSpans().spans("Kamerstuk 32 735, nr. 286") == [
        (0, 9), (10, 12), (13, 16), (16, 17), (18, 20), (20, 21), (22, 25)
    ]  # fmt: skip
    with pytest.raises(ValueError, match="overlap"):
        Chunker(WordSpans(), max_tokens=50, overlap_tokens=30)
