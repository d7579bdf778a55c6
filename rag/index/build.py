"""Building an index: collect the source files, reuse what the old index has, embed the rest,
write a new folder and swap it in atomically."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag.embedders.base import Embedder
from rag.embedders.e5 import NAME as E5_NAME
from rag.embedders.load import embedder_name, settings_for_name
from rag.embedders.st import resolve_model_dir
from rag.errors import RagError
from rag.index import format as mf
from rag.index.chunk import Chunker, TokenSpans, WordSpans, token_spans_for
from rag.index.dense import DenseIndex
from rag.index.dense import library_versions as dense_versions
from rag.index.incremental import (
    Part,
    Progress,
    embed_parts,
    identity,
    known_vectors,
    read_parts,
)
from rag.analysis.terms import Analyzer
from rag.index.lexical import LexicalIndex, unit_text
from rag.index.lexical import library_versions as lexical_versions
from rag.index.load import Index, load_index
from rag.parsing import SUFFIXES
from rag.settings import Settings
from rag.types import Document



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
    name = embedder_name(settings.embedder)
    if name == E5_NAME:  # its tokenizer lives inside the engine: cut by words
        tokens: TokenSpans = WordSpans()
    else:
        folder = resolve_model_dir(settings_for_name(name, settings.embedder))
        tokens = token_spans_for(folder, name)
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
