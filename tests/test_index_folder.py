"""The index as an ordinary folder, and the document operations: `build FILE` keeps the
others, a rebuild keeps uploads, add/remove say what changed; moved, copied and linked
indexes keep working; an index of format 1 says how to rebuild and is rebuilt in place."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from index_helpers import HashEmbedder

from rag.errors import RagError
from rag.index.build import build_index
from rag.index.load import load_index
from rag.index.manifest import Location
from rag.parsing import parse_file
from rag.retrieval.hybrid import HybridRetriever
from rag.settings import Settings

SEEDS = ("002_6ae4c03786fa8873", "003_54dab813ef9c6552", "004_cf4a3fa9a5a68e27")
UPLOAD = "000_ba7fe8d28f285051"
QUERY = "digitale vervolging van religieuze minderheden"


@pytest.fixture
def root(tmp_path, seed_paths) -> Path:
    """<root>/corpus with three seeds, <root>/index built from it, one upload inside it."""
    corpus = tmp_path / "root" / "corpus"
    corpus.mkdir(parents=True)
    for name in SEEDS:
        shutil.copy(seed_paths[name], corpus)
    index = tmp_path / "root" / "index"
    build([corpus], index)
    (index / "uploads").mkdir()
    shutil.copy(seed_paths[UPLOAD], index / "uploads")
    assert build([index / "uploads"], index).added == (UPLOAD,)
    return tmp_path / "root"


def build(paths, index: Path, **kw):
    settings = Settings().override("index", dir=str(index))
    return build_index(list(paths), settings, HashEmbedder(), parse=parse_file, **kw)


def top(index: Path) -> list[str]:
    retriever = HybridRetriever(load_index(index), HashEmbedder())
    return [h.unit.unit_id for h in retriever.search(QUERY, k=3, mode="hybrid")]


ALL = sorted([*SEEDS, UPLOAD])


def test_build_file_keeps_the_others_and_a_rebuild_keeps_uploads(root, seed_paths) -> None:
    index = root / "index"
    extra = root / "extra"
    extra.mkdir()
    shutil.copy(seed_paths["001_f07640d600ade888"], extra)
    result = build([extra / "001_f07640d600ade888.txt"], index)  # `rag index build FILE`
    assert result.added == ("001_f07640d600ade888",) and result.removed == ()
    result = build([], index)  # `rag index build`: everything it knows, uploads included
    assert result.removed == () and result.embedded == 0
    assert sorted(load_index(index).docs) == sorted([*ALL, "001_f07640d600ade888"])
    result = build([root / "corpus"], index, replace_all=True)  # told to: the corpus (and
    assert result.removed == ("001_f07640d600ade888",)  # the uploads, removed only by name)


def test_remove_drops_a_corpus_document_for_good_and_deletes_an_upload(root) -> None:
    index = root / "index"
    result = build([], index, remove=(SEEDS[0], UPLOAD))
    assert sorted(result.removed) == sorted([SEEDS[0], UPLOAD]) and result.embedded == 0
    assert not (index / "uploads" / f"{UPLOAD}.txt").exists()
    assert build([], index).added == ()  # the corpus still holds the file: it stays out
    assert sorted(load_index(index).docs) == sorted(SEEDS[1:])
    assert build([root / "corpus" / f"{SEEDS[0]}.txt"], index).added == (SEEDS[0],)
    with pytest.raises(RagError, match="holds no document 'nope'"):
        build([], index, remove=("nope",))


def test_a_moved_index_keeps_working_and_rebuilds(root, tmp_path) -> None:
    before = top(root / "index")
    moved = tmp_path / "elsewhere" / "idx"
    moved.parent.mkdir()
    shutil.move(root / "index", moved)
    assert top(moved) == before and sorted(load_index(moved).docs) == ALL
    result = build([], moved)  # the corpus is found by its absolute path
    assert result.unchanged == tuple(ALL) and result.kept == () and result.embedded == 0


def test_a_copied_tree_uses_its_own_copy_of_the_corpus(root, tmp_path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    shutil.rmtree(root)  # the original is gone: nothing may point back to it
    assert sorted(load_index(copy / "index").docs) == ALL
    (copy / "corpus" / f"{SEEDS[0]}.txt").write_text("Vraag 1\nNieuw?\n", "utf-8")
    result = build([], copy / "index")
    assert result.changed == (SEEDS[0],) and result.kept == ()


def test_a_moved_index_whose_sources_are_gone_keeps_its_documents(root, tmp_path) -> None:
    moved = tmp_path / "alone"
    shutil.move(root / "index", moved)
    shutil.rmtree(root)
    result = build([], moved)
    assert sorted(result.kept) == sorted(SEEDS) and result.unchanged == (UPLOAD,)
    assert result.removed == () and sorted(load_index(moved).docs) == ALL
    assert len(result.missing) == 1 and result.missing[0].endswith("corpus")


def test_an_index_reached_through_a_symlink(root, tmp_path) -> None:
    link = tmp_path / "link"
    os.symlink(root / "index", link)
    before = top(root / "index")
    assert top(link) == before
    result = build([], link)
    assert result.unchanged == tuple(ALL) and link.is_symlink()
    assert sorted(load_index(root / "index").docs) == ALL


def test_a_format_1_index_names_the_rebuild_and_is_rebuilt_in_place(root) -> None:
    index = root / "index"
    for entry in index.iterdir():
        if entry.name.startswith("data-"):
            shutil.rmtree(entry)
    (index / "units.jsonl").write_text("{}\n", "utf-8")  # a file of the old layout
    old = {"format": "rag-index", "format_version": 1, "inputs": [str(root / "corpus")]}
    (index / "manifest.json").write_text(json.dumps(old), "utf-8")
    with pytest.raises(RagError, match=r"format version 1, older than 2 .*`rag index build"):
        load_index(index)
    result = build([], index)
    assert sorted(result.added) == ALL  # its recorded inputs and its uploads
    assert not (index / "units.jsonl").exists()


def test_a_path_named_through_a_link_to_the_index_is_recorded_inside(root, tmp_path) -> None:
    link = tmp_path / "link"
    os.symlink(root / "index", link)
    inside = Location.of(link / "uploads" / f"{UPLOAD}.txt", link)
    assert inside == Location(f"uploads/{UPLOAD}.txt")  # no absolute path: a copy stays put
    outside = Location.of(root / "corpus", link)
    assert outside == Location("../corpus", str(root / "corpus"))
    assert outside.resolve(link) == root / "corpus"
