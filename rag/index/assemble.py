"""Assembling an index from its documents' parts: the files of one version and its manifest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from rag.analysis.terms import Analyzer
from rag.embedders.base import Embedder
from rag.errors import RagError
from rag.index import manifest as mm
from rag.index.dense import DenseIndex
from rag.index.dense import library_versions as dense_versions
from rag.index.incremental import Identity, Part
from rag.index.lexical import LexicalIndex, unit_text
from rag.index.lexical import library_versions as lexical_versions
from rag.index.sources import Plan
from rag.settings import Settings


def assemble(parts: list[Part], settings: Settings, embedder: Embedder) -> dict[str, Any]:
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
        "answer_vectors": _stack([p.answer_vectors for p in parts], dim),  # row i = unit i
    }


def _stack(blocks: list[np.ndarray | None], dim: int) -> np.ndarray:
    blocks = [b for b in blocks if b is not None and len(b)]
    return np.concatenate(blocks).astype(np.float32) if blocks else np.zeros((0, dim), np.float32)


def new_manifest(
    ident: Identity,
    assembled: dict[str, Any],
    settings: Settings,
    todo: Plan,
    sources: tuple[mm.Source, ...],
    skipped: list[str],
) -> mm.Manifest:
    """Everything that built the index, before the data folder, files and hash are added."""
    dense, lexical = assembled["dense"], assembled["lexical"]
    return mm.Manifest(
        data="",
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        embedder=replace(ident.embedder, dim=dense.dim),
        chunking=ident.chunking,
        lexical=mm.LexicalInfo(
            **lexical.analyzer.describe(), k1=settings.index.bm25_k1, b=settings.index.bm25_b
        ),
        dense=mm.DenseInfo(type=dense.kind),
        parser=ident.parser,
        counts=mm.Counts(
            docs=len(assembled["docs"]),
            units=len(assembled["units"]),
            passages=len(assembled["passages"]),
            questions=len(assembled["question_ids"]),
        ),
        versions={**lexical_versions(), **dense_versions()},
        inputs=todo.inputs,
        sources=sources,
        excluded=todo.excluded,
        skipped=tuple(skipped),
    )
