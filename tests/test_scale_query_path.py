"""The candidates-only query path agrees with the old full-scan path (its oracle)."""

from __future__ import annotations

import numpy as np
import pytest
from index_helpers import HashEmbedder

from rag.bench.scale_baseline import FullScanRetriever
from rag.errors import RagError
from rag.index.build import build_index
from rag.index.load import load_index
from rag.retrieval import sparse
from rag.retrieval.hybrid import HybridRetriever
from rag.retrieval.sparse import SparseScores, postings_scores
from rag.settings import Settings
from rag.types import Filters


@pytest.fixture(scope="module")
def hashed_index(tmp_path_factory, corpus_dir):
    folder = tmp_path_factory.mktemp("scale_path") / "index"
    build_index([corpus_dir], Settings().override("index", dir=str(folder)), HashEmbedder())
    return load_index(folder)


def _queries(index, n: int = 40) -> list[str]:
    asked = [u.question for u in index.units.values() if len(u.question.split()) > 4]
    return asked[:: max(1, len(asked) // n)][:n] + ["China", "Xinjiang testkits BGI", "zzz"]


def _same_hits(index, embedder, filters=None) -> None:
    new, old = HybridRetriever(index, embedder), FullScanRetriever(index, embedder)
    for query in _queries(index):
        for mode in ("bm25", "dense", "hybrid"):
            a = new.search(query, k=10, mode=mode, filters=filters)
            b = old.search(query, k=10, mode=mode, filters=filters)
            assert [h.score for h in a] == pytest.approx([h.score for h in b], rel=1e-5, abs=1e-5)
            for x, y in zip(a, b, strict=True):  # a different unit only in a tie
                assert x.unit.unit_id == y.unit.unit_id or abs(x.score - y.score) < 1e-5
            cut = b[-1].score if b else 0.0
            for h in [*a, *b]:  # units only one path returned: tied at the cut
                if h.unit.unit_id in {x.unit.unit_id for x in a} ^ {y.unit.unit_id for y in b}:
                    assert abs(h.score - cut) < 1e-5, (query, mode, h.unit.unit_id)
            details = {h.unit.unit_id: h.scores for h in b}
            for x in a:  # per-side details, of units a side did not return too
                for key, value in details.get(x.unit.unit_id, {}).items():
                    if not key.endswith("_rank"):  # ranks: exact ties may order differently
                        assert x.scores[key] == pytest.approx(value, rel=1e-5, abs=1e-5)


def test_candidates_only_path_gives_the_full_scan_hits(hashed_index) -> None:
    _same_hits(hashed_index, HashEmbedder())


def test_candidates_only_path_with_filters(hashed_index) -> None:
    docs = sorted(hashed_index.docs)
    _same_hits(hashed_index, HashEmbedder(), Filters(docs=(docs[1], docs[4])))
    _same_hits(hashed_index, HashEmbedder(), Filters(kinds=("answers",), date_from="2021-01-01"))


def test_filter_masks_are_computed_once_per_filter(hashed_index) -> None:
    retriever = HybridRetriever(hashed_index, HashEmbedder())
    only = Filters(docs=(sorted(hashed_index.docs)[1],))
    first = retriever.masks.select(only)
    assert retriever.masks.select(Filters(docs=only.docs)) is first
    want = [u.doc in only.docs for u in hashed_index.units.values()]
    assert first.units.tolist() == want and first.units.sum() < len(want)


def test_sparse_bm25_equals_the_dense_sum() -> None:
    rng = np.random.default_rng(3)
    dense = (rng.random((50, 30)) < 0.2) * rng.random((50, 30)).astype(np.float32)
    indptr = np.concatenate([[0], np.cumsum((dense > 0).sum(axis=0))])
    indices = np.concatenate([np.flatnonzero(dense[:, t]) for t in range(30)])
    data = np.concatenate([dense[dense[:, t] > 0, t] for t in range(30)]).astype(np.float32)
    for ids, size in (([3, 7, 7, 20], 50), ([1], 50), ([], 50), ([2, 5], 10_000)):
        rows, values = postings_scores(indptr, indices, data, ids, max(size, 50))
        want = dense[:, ids].sum(axis=1) if ids else np.zeros(50)
        got = np.zeros(50)
        got[rows] = values
        np.testing.assert_allclose(got, want, rtol=1e-6)
        scores = SparseScores(rows, values)
        assert scores.top(5) == [int(r) for r in np.lexsort((np.arange(50), -want))[:5]
                                 if want[r] > 0]  # fmt: skip


def test_bm25_cut_at_a_bound_gives_the_full_scan_hits(hashed_index, monkeypatch) -> None:
    monkeypatch.setattr(sparse, "ARRAY_SHARE", 10**9)  # every query: one array, rows cut
    monkeypatch.setattr(sparse, "BOUND_ROWS", 1)  # the tightest bound
    _same_hits(hashed_index, HashEmbedder())
    _same_hits(hashed_index, HashEmbedder(), Filters(kinds=("answers",), date_from="2021-01-01"))


def test_bm25_cut_at_a_bound_keeps_the_exact_top_n(monkeypatch) -> None:
    monkeypatch.setattr(sparse, "ARRAY_SHARE", 10**9)
    rng = np.random.default_rng(7)
    rows, terms = 400, 12
    df = np.array([3, 5, 8, 20, 40, 80, 150, 250, 300, 350, 390, 400])  # rare to common
    dense = np.zeros((rows, terms), dtype=np.float32)
    for t, d in enumerate(df):
        dense[rng.choice(rows, d, replace=False), t] = rng.random(d) * (3.0 - 2.5 * d / rows)
    indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
    indices = np.concatenate([np.flatnonzero(dense[:, t]) for t in range(terms)]).astype(np.int32)
    data = np.concatenate([dense[dense[:, t] > 0, t] for t in range(terms)])
    arrays = (indptr, indices, data)
    mask = rng.random(rows) < 0.7
    smaller = 0
    for ids in ([0, 1, 9, 10, 11], [2, 2, 8, 11], [11], [0, 3, 4, 5, 6, 7, 8]):
        for n, m in ((5, None), (10, mask), (50, None), (500, mask)):
            want = dense[:, ids].sum(axis=1) * (1 if m is None else m)
            got_rows, got, full = sparse.segment_scores(arrays, list(ids), rows, n, m)
            np.testing.assert_allclose(got, want[got_rows], rtol=1e-5)
            scores = sparse.BM25Scores(got_rows, got, [(0, full)], m)
            best = [int(r) for r in np.lexsort((np.arange(rows), -want))[:n] if want[r] > 0]
            assert scores.top(n) == best
            np.testing.assert_allclose(scores[np.arange(rows)], want, rtol=1e-5, atol=1e-7)
            smaller += len(got_rows) < np.count_nonzero(want)
    assert smaller > 0  # rows below the bound were left in the array


@pytest.mark.slow
def test_real_vectors_same_hits_on_the_shipped_index(shipped_index) -> None:
    from rag.embedders.e5 import E5Embedder

    index = load_index(shipped_index)
    _same_hits(index, E5Embedder())


def test_a_large_index_opens_memory_mapped(hashed_index, tmp_path, monkeypatch) -> None:
    import shutil

    from rag.answering.side import open_query_side
    from rag.index import lazy_open

    folder = tmp_path / "index"
    shutil.copytree(hashed_index.dir, folder)
    eager = load_index(folder)
    monkeypatch.setattr(lazy_open, "LAZY_FROM", 1)  # the shipped corpus counts as large
    lazy = load_index(folder)
    assert isinstance(lazy, lazy_open.BuiltLazyIndex)
    assert (folder / eager.manifest.data / "lazy.json").is_file()  # tables written once
    assert list(lazy.units) == list(eager.units) == list(lazy.unit_ids)
    assert [lazy.units[u] for u in eager.units] == list(eager.units.values())
    assert dict(lazy.docs) == eager.docs and lazy.question_ids == eager.question_ids
    np.testing.assert_array_equal(lazy.passage_unit, eager.passage_unit)
    np.testing.assert_array_equal(lazy.question_vectors, eager.question_vectors)
    assert list(lazy.passages) == eager.passages
    doc = sorted(eager.docs)[2]
    assert lazy.doc_vectors(doc)[0] == eager.doc_vectors(doc)[0]
    for term in ("china", "testkit", "zzz"):
        np.testing.assert_array_equal(lazy.lexical.rows_with(term), eager.lexical.rows_with(term))
    only = Filters(kinds=("answers",), date_from="2021-01-01")
    new, old = HybridRetriever(lazy, HashEmbedder()), HybridRetriever(eager, HashEmbedder())
    for query in _queries(eager, 15):
        for filters in (None, only):
            a = new.search(query, k=5, filters=filters)
            b = old.search(query, k=5, filters=filters)
            same = [(x.unit, x.score, x.scores) for x in a]
            assert same == [(y.unit, y.score, y.scores) for y in b]
    settings = Settings().override("index", dir=str(folder))
    question = "Wat heeft het RIVM met de BGI-testkits gedaan?"
    side = open_query_side(settings, embedder=HashEmbedder())
    assert isinstance(side.index, lazy_open.BuiltLazyIndex)
    monkeypatch.setattr(lazy_open, "LAZY_FROM", 10**9)
    want = open_query_side(settings, embedder=HashEmbedder()).answerer.ask(question, mode="quote")
    got = side.answerer.ask(question, mode="quote")  # the answer side over the lazy index
    assert (got.answer, got.citations, got.refused) == (want.answer, want.citations, want.refused)


def test_a_large_index_is_checked_and_rebuilt(hashed_index, corpus_dir, tmp_path, monkeypatch):
    import shutil

    from rag.index import lazy_open

    folder = tmp_path / "index"
    shutil.copytree(hashed_index.dir, folder)
    monkeypatch.setattr(lazy_open, "LAZY_FROM", 1)
    before = load_index(folder)
    settings = Settings().override("index", dir=str(folder))
    embedder = HashEmbedder()
    build_index([corpus_dir], settings, embedder)  # incremental: reads the lazy index
    after = load_index(folder)
    assert embedder.texts == 0 and list(after.units) == list(before.units)
    assert after.manifest.data != before.manifest.data
    (folder / after.manifest.data / "units.jsonl").write_text("{}\n")  # size changed
    with pytest.raises(RagError, match="missing or changed"):
        load_index(folder)


def test_the_answer_side_over_a_large_index_reads_only_the_records_it_needs(
    hashed_index, tmp_path, monkeypatch
) -> None:
    import shutil

    from rag.answering.side import open_query_side
    from rag.index import lazy, lazy_open

    folder = tmp_path / "index"
    shutil.copytree(hashed_index.dir, folder)
    # BM25 retrieval: hashed vectors carry no meaning, the lexical gate lets the hits through
    settings = Settings().override("index", dir=str(folder)).override("retrieval", mode="bm25")
    questions = (
        "Wat heeft het RIVM met de BGI-testkits gedaan?",
        "Is de Utrechtse delegatie in China gehackt?",  # a provincial letter: its province
    )
    eager = open_query_side(settings, embedder=HashEmbedder()).answerer
    want = [eager.ask(q, mode="quote") for q in questions]
    monkeypatch.setattr(lazy_open, "LAZY_FROM", 1)  # the shipped corpus counts as large
    side = open_query_side(settings, embedder=HashEmbedder())
    reads: list[int] = []
    original = lazy.Records.__getitem__
    monkeypatch.setattr(
        lazy.Records, "__getitem__", lambda self, row: reads.append(row) or original(self, row)
    )
    answerer = side.answerer
    assert reads == []  # opening the answer side reads no record
    got = [answerer.ask(q, mode="quote") for q in questions]
    assert [(a.answer, a.citations) for a in got] == [(a.answer, a.citations) for a in want]
    assert not any(a.refused for a in got) and "Utrecht" in got[1].citations[0].address
    units = len(side.index.unit_ids)
    assert 0 < len(reads) < units / 2  # the hits, their documents, one letter's units
    words = answerer.corpus.vocabulary()  # the support check's "not garbled": from BM25 stems
    assert "testkits" in words and "laboratoria" in words and "testkitts" not in words
