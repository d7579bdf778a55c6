"""The scale corpus as a lazy index: BM25 arrays equal bm25s', lazy records equal the
JSONL, the candidates-only path equals the full scan, IVF recall, adding units."""

from __future__ import annotations

import json

import numpy as np
import pytest
from index_helpers import HashEmbedder

from rag.analysis.sentences import split_sentences
from rag.analysis.terms import Analyzer
from rag.bench.scale_baseline import FullScanRetriever
from rag.bench.scale_corpus import Pool, write_corpus
from rag.index.dense import IVF_NPROBE
from rag.index.lazy import line_offsets, open_lazy
from rag.index.lazy_add import add_units
from rag.index.lexical import LexicalIndex, unit_text
from rag.parsing import parse_file
from rag.retrieval.hybrid import HybridRetriever
from rag.types import DocMeta, Filters, Unit

EMBEDDER = {"name": "test:hash-64", "dim": 64}


@pytest.fixture(scope="module")
def pool(corpus_dir) -> Pool:
    questions, answers = {}, {}
    for path in sorted(corpus_dir.glob("*.txt")):
        for unit in parse_file(path).units:
            for s in split_sentences(" ".join(unit.question.split())):
                questions[s] = None
            for s in split_sentences(" ".join((unit.answer or unit.text).split())):
                answers.setdefault(s, None)
    texts = list(questions) + [s for s in answers if s not in questions]
    roles = np.array([0] * len(questions) + [1] * (len(texts) - len(questions)), np.int8)
    return Pool.make(texts, roles, HashEmbedder().embed(texts, "passage"), Analyzer())


@pytest.fixture(scope="module")
def corpora(pool, tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    for kind, n in (("flat", 3000), ("ivf", 6000)):
        write_corpus(root / kind, n, pool, EMBEDDER, Analyzer(), kind, seed=1)
    return root


def test_bm25_arrays_equal_bm25s(corpora) -> None:
    index = open_lazy(corpora / "flat")
    texts = [unit_text(index.units.at(i)) for i in range(len(index.units))]
    reference = LexicalIndex.build(texts, Analyzer(), k1=1.5, b=0.75)
    for query in ("China mensenrechten", "testkits BGI", "Oeigoeren Xinjiang kabinet"):
        np.testing.assert_allclose(index.lexical.scores(query), reference.scores(query),
                                   rtol=2e-5, atol=1e-6)  # fmt: skip


def test_lazy_records_equal_the_jsonl(corpora) -> None:
    folder = corpora / "flat"
    index = open_lazy(folder)
    lines = (folder / "units.jsonl").read_text(encoding="utf-8").splitlines()
    units = [Unit.from_dict(json.loads(line)) for line in lines]
    assert len(index.units) == len(units) == 3000
    assert list(index.units) == [u.unit_id for u in units]
    for row in (0, 1, 777, 2999):
        assert index.units[units[row].unit_id] == units[row] == index.units.at(row)
        assert index.unit_ids[row] == units[row].unit_id
    assert "s9999999#v1" not in index.units
    np.testing.assert_array_equal(line_offsets(folder / "units.jsonl"),
                                  np.asarray(index.units.records.offsets))  # fmt: skip
    doc = index.docs[units[5].doc]
    assert isinstance(doc, DocMeta) and doc.doc == units[5].doc and doc.date[:2] in ("19", "20")


def _questions(index, n: int = 25) -> list[str]:
    rows = range(0, len(index.units), len(index.units) // n)
    return [index.units.at(r).text.split("\n")[0] for r in rows]


def test_lazy_index_candidates_path_equals_the_full_scan(corpora) -> None:
    index = open_lazy(corpora / "flat")
    new, old = HybridRetriever(index, HashEmbedder()), FullScanRetriever(index, HashEmbedder())
    only = Filters(kinds=("answers",), date_from="2005-01-01", date_to="2012-12-31")
    for query in _questions(index):
        for filters in (None, only):
            a = new.search(query, k=10, filters=filters)
            b = old.search(query, k=10, filters=filters)
            assert [h.score for h in a] == pytest.approx([h.score for h in b], rel=1e-5, abs=1e-5)
            if filters:
                assert all(only.allows(index.docs[h.unit.doc]) for h in a) and a


def _recall(index, queries) -> float:
    vectors = np.asarray(index.dense.vectors)
    shares = []
    for q in queries:
        exact = vectors @ q
        ids, _ = index.dense.search(q, 10)
        shares.append(np.mean(exact[ids] >= np.sort(exact)[-10] - 1e-6))
    return float(np.mean(shares))


def test_ivf_dense_recall_against_exact(corpora) -> None:
    index = open_lazy(corpora / "ivf")
    queries = HashEmbedder().embed(_questions(index, 50), "query")
    ivf = index.dense.index
    assert index.dense.kind == "ivf" and ivf.nprobe == min(IVF_NPROBE, ivf.nlist) < 6000 / 39
    ivf.nprobe = ivf.nlist // 4  # a quarter of the lists
    assert _recall(index, queries) >= 0.7  # hash vectors: far less clustered than text
    ivf.nprobe = ivf.nlist  # every list probed: exact
    assert _recall(index, queries) == 1.0


def test_added_units_are_found_and_old_ones_stay(corpora, tmp_path) -> None:
    import shutil

    folder = tmp_path / "ivf"
    shutil.copytree(corpora / "ivf", folder)
    before = open_lazy(folder)
    old_ids = [before.unit_ids[r] for r in (0, 2500, 5999)]
    old_hits = {u: HybridRetriever(before, HashEmbedder()).search(
        before.units[u].text, k=3)[0].unit.unit_id for u in old_ids}  # fmt: skip
    docs = [DocMeta(doc=f"s{9000000 + d:07d}", kind="letter", date="2025-01-0" + str(1 + d))
            for d in range(3)]  # fmt: skip
    units = [Unit(doc=docs[i // 3].doc, unit_id=f"{docs[i // 3].doc}#v{1 + i % 3}",
                  kind="paragraph", vraag=None, label="Paragraaf",
                  text=f"Nieuwe brief {i} over zeewierkwekerij nummer{i}xq en de Waddenzee.")
             for i in range(9)]  # fmt: skip
    add_units(folder, docs, units, HashEmbedder().embed([u.text for u in units], "passage"))
    after = open_lazy(folder)
    assert len(after.units) == 6009 and after.units[units[4].unit_id] == units[4]
    retriever = HybridRetriever(after, HashEmbedder())
    hit = retriever.search("nummer4xq zeewierkwekerij", k=1)[0]
    assert hit.unit == units[4]
    assert retriever.search("zeewierkwekerij", k=1, filters=Filters(date_from="2025-01-01"))
    for uid, want in old_hits.items():
        assert retriever.search(after.units[uid].text, k=3)[0].unit.unit_id == want


def test_the_product_opens_a_lazy_folder_lazily(corpora) -> None:
    from rag.answering.side import open_query_side
    from rag.index.lazy import LazyIndex
    from rag.index.load import load_index
    from rag.settings import Settings

    folder = corpora / "ivf"
    assert isinstance(load_index(folder), LazyIndex)
    side = open_query_side(Settings().override("index", dir=str(folder)), embedder=HashEmbedder())
    assert isinstance(side.index, LazyIndex) and "answerer" not in side.__dict__  # not built
    assert side.index.manifest.embedder.name == EMBEDDER["name"] and not side.index.question_ids
    direct = HybridRetriever(open_lazy(folder), HashEmbedder())
    for query in _questions(side.index, 10):
        got = side.retriever.search(query, k=5)
        assert [h.unit for h in got] == [h.unit for h in direct.search(query, k=5)] and got


def test_ivf_pq_codes_are_rescored_exactly(pool, tmp_path, monkeypatch) -> None:
    from rag.index import dense

    monkeypatch.setattr(dense, "PQ_FROM", 1000)  # the 10^6 index's codes, on 6,000 units
    monkeypatch.setattr(dense, "RESCORE", 200)
    write_corpus(tmp_path / "pq", 6000, pool, EMBEDDER, Analyzer(), "ivf", seed=1)
    index = open_lazy(tmp_path / "pq")
    assert index.dense.rescore and type(index.dense.index).__name__ == "IndexIVFPQFastScan"
    queries = HashEmbedder().embed(_questions(index, 50), "query")
    vectors = np.asarray(index.dense.vectors)
    for q in queries[:10]:
        ids, scores = index.dense.search(q, 10)
        np.testing.assert_allclose(scores, vectors[ids] @ q, rtol=1e-5, atol=1e-6)
        assert list(scores) == sorted(scores, reverse=True) and len(ids) == 10
    index.dense.index.nprobe = index.dense.index.nlist  # every list: only the codes approximate
    assert _recall(index, queries) >= 0.95
    new, old = HybridRetriever(index, HashEmbedder()), FullScanRetriever(index, HashEmbedder())
    only = Filters(kinds=("answers",), date_from="2005-01-01")
    for query in _questions(index, 10):
        a, b = new.search(query, k=10), old.search(query, k=10)  # the same FAISS ranking
        assert [h.score for h in a] == pytest.approx([h.score for h in b], rel=1e-5, abs=1e-5)
        hits = new.search(query, k=10, filters=only)  # small selection: scored exactly
        assert hits and all(only.allows(index.docs[h.unit.doc]) for h in hits)
