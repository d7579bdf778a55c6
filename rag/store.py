"""The index on disk (format 1) and the loaded Index object.

An index folder holds plain files, listed with size and sha256 in ``manifest.json``:

    docs.jsonl              DocMeta per document (dataclass fields)
    units.jsonl             Unit.to_dict() per unit, documents in key order, units in order
    passages.jsonl          Passage per embedded piece (row i = vector i)
    vectors.npy             float32 passage vectors, L2-normalised
    dense.faiss             the FAISS index over vectors.npy
    bm25/                   bm25s arrays (.npy) and JSON parameters; row i = unit i
    questions.json          unit ids of the units that have question text
    question_vectors.npy    their question vectors (for "asked before?")

Loading checks the manifest (format version, files, checksums) and says what to run.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag import manifest as mf
from rag.chunk import Chunker, token_spans_for
from rag.dense import DenseIndex
from rag.dense import library_versions as dense_versions
from rag.embed import Embedder, model_name, resolve_model_dir
from rag.errors import RagError
from rag.incremental import (
    Part,
    Progress,
    embed_parts,
    identity,
    known_vectors,
    read_parts,
)
from rag.lexical import Analyzer, LexicalIndex, unit_text
from rag.lexical import library_versions as lexical_versions
from rag.settings import Settings
from rag.types import DocMeta, Document, Passage, Unit


@dataclass(frozen=True, eq=False)
class Index:
    """A loaded index: documents, units, passages and both search sides."""

    dir: Path
    manifest: dict[str, Any]
    docs: dict[str, DocMeta]
    units: dict[str, Unit]  # unit_id -> Unit, in document order
    passages: list[Passage]  # row i = dense row i
    lexical: LexicalIndex  # row i = unit i of unit_ids
    dense: DenseIndex
    question_ids: list[str]
    question_vectors: np.ndarray
    unit_ids: list[str] = field(init=False)
    passage_unit: np.ndarray = field(init=False)  # unit row of each passage

    def __post_init__(self) -> None:
        row = {uid: i for i, uid in enumerate(self.units)}
        object.__setattr__(self, "unit_ids", list(self.units))
        rows = np.array([row[p.unit_id] for p in self.passages], dtype=np.int64)
        object.__setattr__(self, "passage_unit", rows)

    @property
    def hash(self) -> str:
        """The index hash: identifies the settings and sources that built it."""
        return str(self.manifest["hash"])

    @property
    def embedder_name(self) -> str:
        """Name of the embedder that built the dense side."""
        return str(self.manifest["embedder"]["name"])

    def check_embedder(self, name: str, dim: int) -> None:
        """Raise RagError, naming the fix, unless (name, dim) is the embedder that built us."""
        mf.check_embedder(self.manifest, name, dim, self.dir)

    def doc_vectors(self, doc: str) -> tuple[list[Passage], np.ndarray]:
        """Passages of one document and their vectors (for incremental reuse)."""
        rows = [i for i, p in enumerate(self.passages) if p.doc == doc]
        return [self.passages[i] for i in rows], self.dense.vectors[rows]

    def source_sha(self) -> dict[str, str]:
        """doc -> sha256 of the source file it was built from."""
        return {s["doc"]: s["sha256"] for s in self.manifest.get("sources", [])}


def load_index(folder: str | Path, verify: bool = True) -> Index:
    """Load an index folder; any mismatch is a RagError that says what to run."""
    folder = Path(folder)
    manifest = mf.read_manifest(folder)
    if verify:
        mf.check_files(manifest, folder)
    try:
        return _read(folder, manifest)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        fix = mf.rebuild_command(manifest, folder)
        raise RagError(f"index in {folder} cannot be read ({exc}); rebuild with `{fix}`") from exc


def _read(folder: Path, manifest: dict[str, Any]) -> Index:
    lex = manifest["lexical"]
    analyzer = Analyzer(stemmer_name=lex["stemmer"])
    questions = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    index = Index(
        dir=folder,
        manifest=manifest,
        docs={d["doc"]: DocMeta.from_dict(d) for d in mf.read_jsonl(folder / "docs.jsonl")},
        units={u.unit_id: u for u in map(Unit.from_dict, mf.read_jsonl(folder / "units.jsonl"))},
        passages=[Passage(**p) for p in mf.read_jsonl(folder / "passages.jsonl")],
        lexical=LexicalIndex.load(folder / "bm25", analyzer),
        dense=DenseIndex.load(
            folder / "dense.faiss", folder / "vectors.npy", manifest["dense"]["type"]
        ),
        question_ids=list(questions["unit_ids"]),
        question_vectors=np.load(folder / "question_vectors.npy", allow_pickle=False),
    )
    _check_counts(index)
    return index


def _check_counts(index: Index) -> None:
    counts = index.manifest["counts"]
    found = {
        "docs": len(index.docs),
        "units": len(index.units),
        "passages": len(index.passages),
        "questions": len(index.question_ids),
    }
    wrong = {k: v for k, v in found.items() if counts.get(k) != v}
    if (
        wrong
        or index.lexical.size != len(index.units)
        or len(index.dense.vectors) != len(index.passages)
    ):
        raise ValueError(f"counts differ from the manifest: {wrong or 'row counts'}")


# --- building -------------------------------------------------------------------------------

SUFFIXES = (".txt", ".pdf")


@dataclass(frozen=True)
class BuildResult:
    """What a build did: counts, which documents changed, how many passages were embedded."""

    dir: str
    hash: str
    docs: int
    units: int
    passages: int
    embedded: int  # passages embedded by this build (the rest reused from the old index)
    reused: int
    questions_embedded: int
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # files that failed to parse (only with skip_bad)
    seconds: float = 0.0
    recovered: str = ""  # what was repaired of a build killed before this one

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


def collect_files(sources: list[str | Path]) -> list[Path]:
    """The .txt/.pdf files named or inside the folders named, ordered by document key."""
    found: dict[Path, None] = {}
    for src in map(Path, sources):
        if src.is_dir():
            found.update(dict.fromkeys(p.resolve() for p in sorted(src.rglob("*")) if _ok(p)))
        elif src.is_file() and _ok(src):
            found[src.resolve()] = None
        elif src.is_file():
            raise RagError(f"{src} is not a .txt or .pdf file; pass .txt/.pdf files or folders")
        else:
            raise RagError(f"{src} does not exist; pass existing files or folders")
    if not found:
        names = ", ".join(map(str, sources))
        raise RagError(f"no .txt or .pdf files in {names}; pass files or folders that hold them")
    by_key: dict[str, Path] = {}
    for path in found:
        if path.stem in by_key:
            raise RagError(
                f"{by_key[path.stem]} and {path} have the same document key {path.stem!r}; "
                "rename one (the file name without extension is the key)"
            )
        by_key[path.stem] = path
    return [by_key[key] for key in sorted(by_key)]


def _ok(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith(".")


def build_index(
    sources: list[str | Path],
    settings: Settings,
    embedder: Embedder,
    *,
    chunker: Chunker | None = None,
    parse: Callable[[Path], Document] | None = None,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build (or update) the index in settings.index.dir from the source files, atomically.

    Files whose sha256 matches the old index keep their units and vectors (when the parser
    code and chunking are unchanged too); the rest are parsed, and only passages whose text
    the old index has not embedded are embedded. BM25 is rebuilt whole. Nothing replaces
    the old index until the new one is complete: an exception leaves the old one as it was.
    """
    start = time.perf_counter()
    folder = Path(settings.index.dir)
    files = collect_files(sources)
    recovered = mf.recover(folder) or ""  # what a killed build left behind
    mf.check_target(folder)
    chunker = chunker or default_chunker(settings)
    parse = parse or _default_parse()
    ident = identity(settings, embedder, chunker, parse)
    old, same_parts = _reusable(folder, ident)
    parts, skipped = read_parts(files, old, same_parts, parse, chunker, skip_bad, progress)
    cache = known_vectors(old) if old else ({}, {})
    embedded, questions = embed_parts(
        parts, embedder, settings.embedder.batch_size, progress, cache
    )
    assembled = _assemble(parts, settings, embedder)
    manifest = _manifest(ident, assembled, settings, sources, files, skipped)
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    try:
        written = mf.write_index(tmp, assembled, manifest)
        mf.swap_in(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    status = {s: tuple(p.meta.doc for p in parts if p.status == s) for s in _STATUSES}
    return BuildResult(
        dir=str(folder.resolve()),
        hash=written["hash"],
        docs=len(parts),
        units=len(assembled["units"]),
        passages=len(assembled["passages"]),
        embedded=embedded,
        reused=len(assembled["passages"]) - embedded,
        questions_embedded=questions,
        removed=tuple(sorted(set(old.docs) - {p.meta.doc for p in parts})) if old else (),
        skipped=tuple(skipped),
        seconds=round(time.perf_counter() - start, 3),
        recovered=recovered,
        **status,
    )


_STATUSES = ("added", "changed", "unchanged")


def default_chunker(settings: Settings) -> Chunker:
    """The chunker for the configured embedder folder (its own tokenizer)."""
    path = resolve_model_dir(settings.embedder)
    tokens = token_spans_for(path, model_name(path))
    return Chunker(tokens, settings.embedder.max_tokens, settings.embedder.overlap_tokens)


def _default_parse() -> Callable[[Path], Document]:
    from rag.parsing import parse_file

    return parse_file


def _reusable(folder: Path, ident: dict[str, Any]) -> tuple[Index | None, bool]:
    """The old index if its vectors can be reused (same embedder), and whether its units can."""
    try:
        old = load_index(folder)
    except RagError:
        return None, False
    m = old.manifest
    if {k: v for k, v in m["embedder"].items() if k in ident["embedder"]} != ident["embedder"]:
        return None, False
    return old, m["chunking"] == ident["chunking"] and m.get("parser") == ident["parser"]


def _assemble(parts: list[Part], settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """All parts joined into the files of one index (passages renumbered in order)."""
    dims = {p.vectors.shape[1] for p in parts if p.vectors is not None and len(p.vectors)}
    if len(dims) > 1:
        raise RagError(
            f"embedder {embedder.name} gives vectors of dim {sorted(dims)}: the model folder "
            f"changed since the last build; delete {settings.index.dir} and build again"
        )
    dim = dims.pop() if dims else embedder.dim
    units = [u for p in parts for u in p.units]
    passages = [
        replace(x, passage_id=i) for i, x in enumerate(x for p in parts for x in p.passages)
    ]
    analyzer = Analyzer(stemmer_name=settings.index.stemmer)
    lexical = LexicalIndex.build(
        [unit_text(u) for u in units], analyzer, settings.index.bm25_k1, settings.index.bm25_b
    )
    return {
        "docs": [p.meta for p in parts],
        "units": units,
        "passages": passages,
        "dense": DenseIndex.build(
            _stack([p.vectors for p in parts], dim), settings.index.faiss_type
        ),
        "lexical": lexical,
        "question_ids": [q for p in parts for q in p.question_ids],
        "question_vectors": _stack([p.question_vectors for p in parts], dim),
    }


def _stack(blocks: list[np.ndarray | None], dim: int) -> np.ndarray:
    blocks = [b for b in blocks if b is not None and len(b)]
    return np.concatenate(blocks).astype(np.float32) if blocks else np.zeros((0, dim), np.float32)


def _manifest(
    ident: dict[str, Any],
    assembled: dict[str, Any],
    settings: Settings,
    sources: list[str | Path],
    files: list[Path],
    skipped: list[str],
) -> dict[str, Any]:
    """Everything that built the index, before the file records and the hash are added."""
    dense, lexical = assembled["dense"], assembled["lexical"]
    by_doc = {m.doc: m for m in assembled["docs"]}
    return {
        "format": mf.FORMAT,
        "format_version": mf.FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "embedder": {**ident["embedder"], "dim": dense.dim},
        "chunking": ident["chunking"],
        "lexical": {
            **lexical.analyzer.describe(),
            "k1": settings.index.bm25_k1,
            "b": settings.index.bm25_b,
            "rows": "units",
        },
        "dense": {"type": dense.kind, "metric": "inner_product", "rows": "passages"},
        "parser": ident["parser"],
        "versions": {**lexical_versions(), **dense_versions()},
        "inputs": [str(Path(s).resolve()) for s in sources],
        "sources": [
            {"doc": p.stem, "path": str(p), "sha256": by_doc[p.stem].sha256}
            for p in files
            if p.stem in by_doc
        ],
        "skipped": skipped,
        "counts": {
            "docs": len(assembled["docs"]),
            "units": len(assembled["units"]),
            "passages": len(assembled["passages"]),
            "questions": len(assembled["question_ids"]),
        },
    }
