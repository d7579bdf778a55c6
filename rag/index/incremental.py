"""Incremental builds: which documents and vectors an old index can give a new one.

A file whose sha256 (and the parser code and chunking) match the old index keeps its
units, passages and vectors without being parsed. Every other file is parsed; its
passages are embedded unless the old index holds a vector for the exact same text (a
changed parser or an edited file re-embeds only what really changed).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.embedders.base import Embedder, Kind
from rag.errors import RagError
from rag.index.chunk import Chunker, embed_text
from rag.index.manifest import ChunkingInfo, EmbedderInfo, ParserInfo, sha256_file
from rag.settings import Settings
from rag.types import DocMeta, Document, Passage, Unit

if TYPE_CHECKING:
    from rag.index.load import Index

Progress = Callable[[str, int, int], None]  # (stage, done, total)
QUERY_ROLE = "\x00query\x00"  # key prefix of a query-role vector in the caches and checkpoint


def answer_text(unit: Unit) -> str:
    """What a unit's query-role vector embeds: its Antwoord, else its text, else its Vraag."""
    return (unit.answer or unit.text or unit.question or unit.label).strip()


@dataclass(frozen=True)
class Identity:
    """The settings an old index must share for its vectors (embedder) or units to be reused."""

    embedder: EmbedderInfo  # dim 0: known once something is embedded
    chunking: ChunkingInfo
    parser: ParserInfo


def identity(settings: Settings, embedder: Embedder, chunker: Chunker, parse: Callable) -> Identity:
    """What this build's settings, embedder, chunker and parser are."""
    info = EmbedderInfo(
        name=embedder.name,
        version=getattr(embedder, "version", ""),
        query_prefix=settings.embedder.query_prefix,
        passage_prefix=settings.embedder.passage_prefix,
    )
    return Identity(info, ChunkingInfo(**chunker.describe()), parser_identity(parse))


def parser_identity(parse: Callable) -> ParserInfo:
    """The parser's module and a sha256 of its code: a changed parser re-parses every file."""
    module = sys.modules[parse.__module__]
    path = Path(module.__file__ or "")
    files = sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(path.parent).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return ParserInfo(module=parse.__module__, code_sha256=digest.hexdigest())


@dataclass
class Part:
    """One document's share of the index; vectors None until embedded."""

    meta: DocMeta
    units: list[Unit]
    passages: list[Passage]
    question_ids: list[str]
    vectors: np.ndarray | None = None
    question_vectors: np.ndarray | None = None
    answer_vectors: np.ndarray | None = None  # one query-role row per unit (answer_text)
    status: str = "added"


def known_vectors(old: Index) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Vectors of the old index by the exact text embedded: passages (and, keyed with
    QUERY_ROLE before the text, the units' query-role answer vectors), and questions."""
    passages = {
        embed_text(p, old.units[p.unit_id], old.docs[p.doc]): old.dense.vectors[i]
        for i, p in enumerate(old.passages)
    }
    if old.answer_vectors is not None:
        for i, uid in enumerate(old.unit_ids):
            passages[QUERY_ROLE + answer_text(old.units[uid])] = old.answer_vectors[i]
    questions = {
        old.units[uid].question.strip(): old.question_vectors[i]
        for i, uid in enumerate(old.question_ids)
    }
    return passages, questions


def read_parts(
    files: list[Path],
    old: Index | None,
    same_parts: bool,
    parse: Callable[[Path], Document],
    chunker: Chunker,
    skip_bad: bool,
    progress: Progress | None,
) -> tuple[list[Part], list[str]]:
    """Each file's part: reused from the old index when unchanged, else parsed and chunked."""
    known = old.source_sha() if old else {}
    rows = _rows_by_doc(old) if old and same_parts else {}
    parts, skipped = [], []
    for n, path in enumerate(files, start=1):
        sha = _source_sha(path)
        if old and same_parts and known.get(path.stem) == sha:
            parts.append(reused_part(old, path.stem, rows.get(path.stem, [])))
        else:
            try:
                doc = parse(path)
            except Exception as exc:  # any parser failure: name the file, offer the fix
                problem = parse_problem(path, exc)
                if not skip_bad:
                    raise RagError(f"{problem}; or pass --skip-bad to build without it") from exc
                skipped.append(problem)
                continue
            status = _status(known.get(path.stem), sha)
            parts.append(_parsed(doc, path, sha, chunker, status))
        if progress:
            progress("read sources", n, len(files))
    return parts, skipped


def _source_sha(path: Path) -> str:
    """The sha256 of a source file; a file gone or unreadable since it was listed is named."""
    try:
        return sha256_file(path)
    except FileNotFoundError as exc:
        raise RagError(f"{path} disappeared during the build; restore it or build again") from exc
    except PermissionError as exc:
        raise RagError(
            f"cannot read {path} (permission denied); make it readable (chmod u+r) or remove it"
        ) from exc
    except OSError as exc:
        raise RagError(f"cannot read {path} ({exc.strerror}); fix or remove the file") from exc


def parse_problem(path: Path, exc: Exception) -> str:
    """One line naming the file and what went wrong (a RagError already names both)."""
    if isinstance(exc, RagError):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"{path} disappeared during the build; restore it or build again"
    if isinstance(exc, PermissionError):
        return f"cannot read {path} (permission denied); make it readable (chmod u+r)"
    return f"cannot parse {path}: {type(exc).__name__}: {exc}; fix or remove the file"


def _status(old_sha: str | None, sha: str) -> str:
    """What happened to a file since the old index: added, changed or unchanged."""
    return "added" if old_sha is None else "unchanged" if old_sha == sha else "changed"


def _rows_by_doc(old: Index) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for i, p in enumerate(old.passages):
        rows.setdefault(p.doc, []).append(i)
    return rows


def reused_part(old: Index, doc: str, rows: list[int] | None = None) -> Part:
    """An unchanged document's part, vectors and all, taken from the old index."""
    if rows is None:
        rows = [i for i, p in enumerate(old.passages) if p.doc == doc]
    urows = [i for i, uid in enumerate(old.unit_ids) if old.units[uid].doc == doc]
    qrows = [i for i, uid in enumerate(old.question_ids) if old.units[uid].doc == doc]
    answers = old.answer_vectors
    return Part(
        meta=old.docs[doc],
        units=[old.units[old.unit_ids[i]] for i in urows],
        passages=[old.passages[i] for i in rows],
        question_ids=[old.question_ids[i] for i in qrows],
        vectors=old.dense.vectors[rows],
        question_vectors=old.question_vectors[qrows],
        answer_vectors=None if answers is None else np.asarray(answers[urows], np.float32),
        status="unchanged",
    )


def _parsed(doc: Document, path: Path, sha: str, chunker: Chunker, status: str) -> Part:
    """A new or changed document's part, not yet embedded."""
    meta = replace(doc.meta, source=doc.meta.source or path.name, sha256=sha)
    units = list(doc.units)
    questions = [u.unit_id for u in units if u.question.strip()]
    return Part(meta, units, chunker.passages(units), questions, status=status)


def embed_parts(
    parts: list[Part],
    embedder: Embedder,
    batch: int,
    progress: Progress | None,
    cache: tuple[dict[str, np.ndarray], dict[str, np.ndarray]],
    on_batch: Callable[[list[str], np.ndarray], None] | None = None,
) -> tuple[int, int, int]:
    """Give vectors to every part that has none: from the cache by text, else embedded
    (each embedded batch is passed to on_batch, e.g. a resume checkpoint), and to every
    unit its query-role answer vector (an index built before these existed gets them).

    Returns how many passages, questions and query-role answers were embedded."""
    todo = [p for p in parts if p.vectors is None]
    texts, questions = [], []
    for part in todo:
        by_id = {u.unit_id: u for u in part.units}
        texts.append([embed_text(p, by_id[p.unit_id], part.meta) for p in part.passages])
        questions.append([by_id[uid].question.strip() for uid in part.question_ids])
    # the question vectors of "asked before?" are the Vraag passages' own vectors (passage
    # role, matched against a query-role question): embedded once, never twice
    new_texts = _missing(texts + questions, cache[0])
    known = dict(cache[0])
    known.update(zip(new_texts, _batched(embedder, new_texts, "passage", batch, progress,
                                          "embed passages", on_batch), strict=True))  # fmt: skip
    asked = set(_missing(questions, cache[0]))
    for part, ptexts, qtexts in zip(todo, texts, questions, strict=True):
        part.vectors = _rows([known[t] for t in ptexts])
        part.question_vectors = _rows([known[q] for q in qtexts])
    # each unit's answer in the query role, for long questions (rag/retrieval/hybrid.py)
    need = [p for p in parts if p.answer_vectors is None and p.units]
    keys = [[QUERY_ROLE + answer_text(u) for u in p.units] for p in need]
    new_keys = _missing(keys, known)

    def saved(texts: list[str], vectors: np.ndarray) -> None:
        if on_batch:
            on_batch([QUERY_ROLE + t for t in texts], vectors)

    plain = [k[len(QUERY_ROLE) :] for k in new_keys]
    known.update(zip(new_keys, _batched(embedder, plain, "query", batch, progress,
                                        "embed answers", saved), strict=True))  # fmt: skip
    for part, mine in zip(need, keys, strict=True):
        part.answer_vectors = _rows([known[k] for k in mine])
    return len(new_texts), len(asked), len(new_keys)


def _missing(groups: list[list[str]], cache: dict[str, np.ndarray]) -> list[str]:
    """Texts not in the cache, each once, in order."""
    return list(dict.fromkeys(t for group in groups for t in group if t not in cache))


def _rows(vectors: list[np.ndarray]) -> np.ndarray | None:
    return np.stack(vectors).astype(np.float32) if vectors else None


def _batched(
    embedder: Embedder,
    texts: list[str],
    kind: Kind,
    batch: int,
    progress: Progress | None,
    stage: str,
    on_batch: Callable[[list[str], np.ndarray], None] | None = None,
) -> np.ndarray:
    """Embed texts in batches (progress after each); shape (len(texts), dim)."""
    if not texts:  # and do not ask for embedder.dim: that may load the model
        return np.zeros((0, 0), dtype=np.float32)
    out = []
    step = max(1, batch) * 4
    for i in range(0, len(texts), step):
        out.append(np.asarray(embedder.embed(texts[i : i + step], kind), dtype=np.float32))
        if on_batch:
            on_batch(texts[i : i + step], out[-1])
        if progress:
            progress(stage, min(i + step, len(texts)), len(texts))
    return np.concatenate(out)
