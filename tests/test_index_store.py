"""The index on disk: build, load, manifest checks, incremental and interrupted builds."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from index_helpers import FailingEmbedder, HashEmbedder

from rag.errors import RagError
from rag.index.build import build_index
from rag.index.chunk import embed_text
from rag.index.load import load_index
from rag.index.manifest import FORMAT_VERSION, EmbedderInfo, Location, Manifest, rebuild_command
from rag.parsing import parse_file
from rag.retrieval.hybrid import HybridRetriever
from rag.settings import Settings

SEEDS = ("002_6ae4c03786fa8873", "003_54dab813ef9c6552", "004_cf4a3fa9a5a68e27")
QUERIES = ["digitale vervolging van religieuze minderheden", "export van surveillance", "China"]


@pytest.fixture
def corpus(tmp_path, seed_paths) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in SEEDS:
        shutil.copy(seed_paths[name], folder)
    return folder


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings().override("index", dir=str(tmp_path / "index"))


def build(corpus, settings, embedder=None, **kw):
    return build_index([corpus], settings, embedder or HashEmbedder(), parse=parse_file, **kw)


def results(index, embedder=None) -> list[list[tuple[str, float]]]:
    retriever = HybridRetriever(index, embedder or HashEmbedder())
    return [
        [(h.unit.unit_id, h.score) for h in retriever.search(q, k=5, mode=mode)]
        for q in QUERIES
        for mode in ("hybrid", "bm25", "dense")
    ]


def test_build_then_load_round_trips_everything(corpus, settings) -> None:
    embedder = HashEmbedder()
    result = build(corpus, settings, embedder)
    index = load_index(settings.index.dir)
    parsed = [parse_file(corpus / f"{name}.txt") for name in SEEDS]
    assert list(index.units.values()) == [u for d in parsed for u in d.units]
    assert list(index.docs) == list(SEEDS)
    assert index.docs[SEEDS[2]].sha256 == index.source_sha()[SEEDS[2]]
    assert result.embedded == len(index.passages) == result.passages
    assert result.questions_embedded == len(index.question_ids) > 0
    # the stored vectors are the embedder's vectors of the stored passages
    texts = [embed_text(p, index.units[p.unit_id], index.docs[p.doc]) for p in index.passages[:25]]
    np.testing.assert_allclose(index.dense.vectors[:25], embedder.embed(texts, "passage"))
    assert index.hash == result.hash and len(index.hash) == 16
    m = index.manifest
    assert m.embedder == EmbedderInfo(name="test:hash-64", dim=64)
    assert m.lexical.stemmer == "dutch" and m.lexical.pystemmer_version
    assert {"bm25s", "faiss"} <= set(m.versions)
    assert [s.doc for s in m.sources] == list(SEEDS)
    assert m.format_version == FORMAT_VERSION == 2 and m.data.startswith("data-")
    # paths are relative to the index folder; an outside source also keeps its absolute path
    assert m.sources[0].path.rel == f"../corpus/{SEEDS[0]}.txt"
    assert m.inputs == (Location("../corpus", str(corpus)),)
    # the on-disk form reads back into the same typed manifest
    raw = json.loads((Path(settings.index.dir) / "manifest.json").read_text(encoding="utf-8"))
    assert Manifest.from_dict(raw) == m
    assert not list(Path(settings.index.dir).rglob("*.pkl"))


def test_save_then_load_gives_identical_results(corpus, settings, tmp_path) -> None:
    build(corpus, settings)
    first = load_index(settings.index.dir)
    moved = shutil.copytree(settings.index.dir, tmp_path / "elsewhere")
    assert results(load_index(moved)) == results(first)
    assert all(r for r in results(first))  # every query finds something


def test_same_inputs_give_the_same_hash_and_a_change_a_new_one(corpus, settings, tmp_path) -> None:
    a = build(corpus, settings)
    b = build(corpus, settings.override("index", dir=str(tmp_path / "other")))
    assert a.hash == b.hash
    c = build(corpus, settings.override("index", dir=str(tmp_path / "k1"), bm25_k1=1.2))
    assert c.hash != a.hash


def test_index_refuses_another_embedder_and_says_what_to_run(corpus, settings) -> None:
    build(corpus, settings)
    index = load_index(settings.index.dir)
    other = HashEmbedder(name="/models/e5-small", dim=32)
    with pytest.raises(RagError) as err:
        HybridRetriever(index, other)
    msg = str(err.value)
    assert "built with test:hash-64 (dim 64), not /models/e5-small (dim 32)" in msg
    assert f"rag index build --index {settings.index.dir} --embedder /models/e5-small" in msg
    assert "--embedder test:hash-64" in msg  # or pass the same embedder
    HybridRetriever(index, None).search("China", mode="bm25")  # BM25 needs no embedder


def test_incremental_build_embeds_only_the_changed_file(corpus, settings) -> None:
    first = build(corpus, settings)
    before = load_index(settings.index.dir)
    changed = corpus / f"{SEEDS[2]}.txt"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("Vraag 2\n", "Vraag 2\nNieuw: ", 1), "utf-8")
    embedder = HashEmbedder()
    second = build(corpus, settings, embedder)
    after = load_index(settings.index.dir)
    assert second.changed == (SEEDS[2],) and second.unchanged == SEEDS[:2]
    # only the passages whose text changed were embedded: those of Vraag 2 of SEEDS[2]; its
    # question passage doubles as the question vector of "asked before?" (embedded once)
    v2 = [p for p in after.passages if p.unit_id == f"{SEEDS[2]}#v2"]
    unit, meta = after.units[f"{SEEDS[2]}#v2"], after.docs[SEEDS[2]]
    own = {embed_text(p, unit, meta) for p in v2}  # distinct texts: each embedded once
    assert second.embedded == embedder.texts == len(set(embedder.seen)) >= 2
    assert set(embedder.seen) <= own and unit.question in embedder.seen
    assert second.questions_embedded == 1
    assert unit.answer.strip() not in embedder.seen  # the Antwoord did not change: reused
    assert second.reused == second.passages - second.embedded and second.passages == first.passages
    for doc in SEEDS[:2]:
        np.testing.assert_array_equal(after.doc_vectors(doc)[1], before.doc_vectors(doc)[1])
    assert after.hash != before.hash
    # nothing changed: nothing embedded, the embedder is not even called
    idle = HashEmbedder()
    third = build(corpus, settings, idle)
    assert third.embedded == 0 and idle.calls == 0 and third.hash == second.hash


def test_a_deleted_source_is_kept_until_removed(corpus, settings) -> None:
    build(corpus, settings)
    (corpus / f"{SEEDS[0]}.txt").unlink()
    result = build(corpus, settings)
    assert result.kept == (SEEDS[0],) and result.removed == () and result.embedded == 0
    assert SEEDS[0] in load_index(settings.index.dir).docs
    result = build_index([], settings, HashEmbedder(), parse=parse_file, remove=(SEEDS[0],))
    index = load_index(settings.index.dir)
    assert result.removed == (SEEDS[0],) and result.embedded == 0
    assert SEEDS[0] not in index.docs and index.manifest.excluded == (SEEDS[0],)
    assert not [u for u in index.units.values() if u.doc == SEEDS[0]]
    assert not [uid for uid in index.question_ids if uid.startswith(SEEDS[0])]


def test_interrupted_build_leaves_the_old_index_answering(corpus, settings, tmp_path) -> None:
    build(corpus, settings)
    before = load_index(settings.index.dir)
    expected = results(before)
    text = (corpus / f"{SEEDS[2]}.txt").read_text(encoding="utf-8")
    (corpus / "005_new.txt").write_text(text.replace("China", "Rusland"), "utf-8")  # new text
    small_batches = settings.override("embedder", batch_size=1)  # 4 texts per call
    failing = FailingEmbedder(fail_on_call=3)
    with pytest.raises(RuntimeError, match="injected failure"):
        build(corpus, small_batches, failing)
    assert failing.texts == 8  # it failed mid-way, after embedding two batches
    after = load_index(settings.index.dir)
    assert after.hash == before.hash and "005_new" not in after.docs
    assert results(after) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index"]  # no leftovers
    data = [p.name for p in Path(settings.index.dir).iterdir() if p.name.startswith("data-")]
    assert data == [after.manifest.data]  # the failed build's data folder is gone
    # the next build resumes: the two batches the failed build embedded are not embedded again
    again = HashEmbedder()
    result = build(corpus, small_batches, again)
    assert "005_new" in load_index(settings.index.dir).docs
    embedded = result.embedded + result.answers_embedded  # passages, then query-role answers
    assert embedded == again.texts and not set(failing.seen) & set(again.seen)
    assert not (Path(settings.index.dir) / ".partial").exists()  # cleared once committed


def test_a_build_interrupted_among_the_answers_resumes_them(corpus, settings) -> None:
    small = settings.override("embedder", batch_size=1)  # 4 texts per call
    probe = HashEmbedder()
    full = build(corpus, small.override("index", dir=settings.index.dir + "-probe"), probe)
    assert full.answers_embedded > 8  # more than the two batches the failing build keeps
    passage_calls = -(-full.embedded // 4)
    failing = FailingEmbedder(fail_on_call=passage_calls + 3)  # in the answers' third call
    with pytest.raises(RuntimeError, match="injected failure"):
        build(corpus, small, failing)
    again = HashEmbedder()
    result = build(corpus, small, again)
    assert result.embedded == 0  # every passage was checkpointed
    assert result.answers_embedded == full.answers_embedded - 8 == again.texts
    index, probed = load_index(settings.index.dir), load_index(settings.index.dir + "-probe")
    np.testing.assert_array_equal(index.answer_vectors, probed.answer_vectors)
    assert index.hash == probed.hash


def test_a_file_that_fails_to_parse_stops_the_build_or_is_skipped(corpus, settings) -> None:
    def parse(path: Path):
        if path.stem == "009_bad":
            raise ValueError("no units found")
        return parse_file(path)

    build_index([corpus], settings, HashEmbedder(), parse=parse)
    before = load_index(settings.index.dir).hash
    (corpus / "009_bad.txt").write_text("kapot", "utf-8")

    with pytest.raises(
        RagError,
        match=r"cannot parse .*009_bad.txt: ValueError: no units found; fix or remove the "
        "file; or pass --skip-bad",
    ):
        build_index([corpus], settings, HashEmbedder(), parse=parse)
    assert load_index(settings.index.dir).hash == before
    result = build_index([corpus], settings, HashEmbedder(), parse=parse, skip_bad=True)
    assert len(result.skipped) == 1 and "009_bad.txt" in result.skipped[0]
    assert result.hash == before and result.embedded == 0


def test_manifest_checks_name_the_fix(corpus, settings) -> None:
    build(corpus, settings)
    folder = Path(settings.index.dir)
    manifest_path = folder / "manifest.json"
    original = manifest_path.read_text(encoding="utf-8")
    fix = f"rag index build --index {folder}"
    for version, word in ((0, "older"), (99, "newer")):
        manifest = json.loads(original)
        manifest["format_version"] = version
        manifest_path.write_text(json.dumps(manifest), "utf-8")
        with pytest.raises(RagError, match=word) as err:
            load_index(folder)
        assert fix in str(err.value)
    manifest_path.write_text(original, "utf-8")
    data = folder / json.loads(original)["data"]
    units = data / "units.jsonl"
    units.write_text(units.read_text(encoding="utf-8").replace("China", "Chin@"), "utf-8")
    with pytest.raises(RagError, match="units.jsonl .* is corrupt") as err:
        load_index(folder)
    assert fix in str(err.value)
    (data / "dense.faiss").unlink()
    with pytest.raises(RagError, match="dense.faiss is missing"):
        load_index(folder)
    manifest_path.write_text("{not json", "utf-8")
    with pytest.raises(RagError, match="corrupt"):
        load_index(folder)
    with pytest.raises(RagError, match="does not exist; build it with `rag index build"):
        load_index(folder.parent / "nothing-here")


def test_build_keeps_foreign_files_and_refuses_a_non_index_folder(corpus, settings, tmp_path):
    folder = Path(settings.index.dir)
    folder.mkdir()
    (folder / "README.md").write_text("The default index folder.", "utf-8")
    build(corpus, settings)
    build(corpus, settings.override("index", bm25_b=0.5))  # a real rebuild, swapped in
    (folder / "uploads").mkdir()
    assert (folder / "README.md").read_text("utf-8") == "The default index folder."
    with pytest.raises(RagError, match="is not a rag index and not empty"):
        build(corpus, settings.override("index", dir=str(corpus)))
    with pytest.raises(RagError, match="no .txt or .pdf files"):
        build_index([tmp_path / "index" / "uploads"], settings, HashEmbedder(), parse=parse_file)


def test_a_changed_parser_reparses_but_reuses_vectors_of_identical_text(corpus, settings):
    build(corpus, settings)

    def relabelled(path: Path):  # another parser: same units, one label changed
        doc = parse_file(path)
        units = tuple(
            replace(u, label="Vraag 1 (gewijzigd)") if u.unit_id.endswith("#v1") else u
            for u in doc.units
        )
        return replace(doc, units=units)

    embedder = HashEmbedder()
    result = build_index([corpus], settings, embedder, parse=relabelled)
    index = load_index(settings.index.dir)
    relabelled_units = [u for u in index.units.values() if u.label == "Vraag 1 (gewijzigd)"]
    assert {u.doc for u in relabelled_units} == {SEEDS[0], SEEDS[2]}
    assert result.unchanged == SEEDS and result.embedded == len(embedder.seen) > 0
    # the label is in the header of the text pieces: exactly those of the two Vraag 1 units
    # (their Vraag and Antwoord passages are embedded without a header: reused)
    rows = [p for p in index.passages if p.unit_id.endswith("#v1") and p.field == "text"]
    assert result.embedded == len(rows)
    assert index.manifest.parser.module == "test_index_store"


def test_hnsw_index_is_stored_and_answers_like_flat(corpus, settings, tmp_path) -> None:
    build(corpus, settings)
    hnsw = settings.override("index", dir=str(tmp_path / "hnsw"), faiss_type="hnsw")
    build(corpus, hnsw)
    index = load_index(hnsw.index.dir)
    assert index.manifest.dense.type == "hnsw"
    assert "--faiss hnsw" in rebuild_command(index.manifest, index.dir)
    # a few hundred vectors: the approximate search finds the exact neighbours
    assert results(index) == results(load_index(settings.index.dir))
