"""Building an index: plan the sources (rag/index/sources.py), reuse what the old index has,
embed the rest, write a new data folder and commit it, all under the index's build lock."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from rag.embedders.base import Embedder
from rag.embedders.e5 import NAME as E5_NAME
from rag.embedders.load import embedder_name, settings_for_name
from rag.embedders.st import resolve_model_dir
from rag.errors import RagError
from rag.index import format as mf
from rag.index import manifest as mm
from rag.index.assemble import assemble, new_manifest
from rag.index.checkpoint import Checkpoint
from rag.index.chunk import Chunker, TokenSpans, WordSpans, token_spans_for
from rag.index.incremental import (
    Identity,
    Part,
    Progress,
    embed_parts,
    identity,
    known_vectors,
    read_parts,
    reused_part,
)
from rag.index.load import Index, load_index
from rag.index.lock import build_lock
from rag.index.sources import Plan, check_source, plan
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
    answers_embedded: int = 0  # units' answers embedded in the query role by this build
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # documents whose source is gone, kept from the old index
    missing: tuple[str, ...] = ()  # recorded inputs that no longer exist
    skipped: tuple[str, ...] = ()  # files that failed to parse (only with skip_bad)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


def build_index(
    sources: list[str | Path],
    settings: Settings,
    embedder: Embedder,
    *,
    chunker: Chunker | None = None,
    parse: Callable[[Path], Document] | None = None,
    skip_bad: bool = False,
    progress: Progress | None = None,
    replace_all: bool = False,
    remove: tuple[str, ...] = (),
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> BuildResult:
    """Add `sources` to the index in settings.index.dir and bring it up to date, atomically.

    Keeps every document the index knows (inputs, additions, uploads) unless `remove` names
    it or `replace_all` (exactly `sources` plus uploads); embeds only text not embedded yet.
    One build at a time per index (others wait, or fail fast with wait=False)."""
    start = time.perf_counter()
    folder = Path(settings.index.dir)
    paths = [Path(s) for s in sources]
    for path in paths:
        check_source(path)  # before the lock: a typo fails at once
    mf.check_target(folder)
    with build_lock(folder, wait, on_wait):
        chunker = chunker or default_chunker(settings)
        parse = parse or _default_parse()
        ident = identity(settings, embedder, chunker, parse)
        old, same_parts, manifest, legacy = _old_index(folder, ident)
        if not paths and manifest is None and not legacy:
            paths = [Path(settings.corpus_dir)]  # a new index: the configured corpus
        todo = plan(folder, paths, manifest, legacy, replace_all, tuple(remove))
        parts, skipped = read_parts(todo.files, old, same_parts, parse, chunker, skip_bad, progress)
        parts = sorted([*parts, *_kept(todo, old, folder)], key=lambda p: p.meta.doc)
        resume = Checkpoint(folder, embedder.name)  # what an interrupted build embedded
        cache, batch = _cache(old, resume), settings.embedder.batch_size
        embedded, asked, answers = embed_parts(parts, embedder, batch, progress, cache, resume.save)
        assembled = assemble(parts, settings, embedder)
        written = _write(folder, assembled, ident, settings, todo, parts, skipped, manifest)
        resume.clear()
        _delete_uploads(folder, manifest, remove)
    status = {s: tuple(p.meta.doc for p in parts if p.status == s) for s in _STATUSES}
    old_docs = [s.doc for s in manifest.sources] if manifest else []
    return BuildResult(
        dir=str(folder.resolve()),
        hash=written.hash,
        docs=len(parts),
        units=len(assembled["units"]),
        passages=len(assembled["passages"]),
        embedded=embedded,
        reused=len(assembled["passages"]) - embedded,
        questions_embedded=asked,
        answers_embedded=answers,
        removed=tuple(sorted(set(old_docs) - {p.meta.doc for p in parts})),
        missing=todo.missing,
        skipped=tuple(skipped),
        seconds=round(time.perf_counter() - start, 3),
        **status,
    )


_STATUSES = ("added", "changed", "unchanged", "kept")


def _cache(old: Index | None, resume: Checkpoint) -> tuple[dict, dict]:
    """Vectors by text: the old index's, and those an interrupted build left."""
    cache = known_vectors(old) if old else ({}, {})
    return {**resume.load(), **cache[0]}, cache[1]


def _old_index(
    folder: Path, ident: Identity
) -> tuple[Index | None, bool, mm.Manifest | None, list[Path]]:
    """The old index if its vectors can be reused, whether its units can, its manifest, and
    the inputs of a format-1 index (rebuilt into format 2)."""
    try:
        manifest = mm.read_manifest(folder)
    except RagError:
        raw = _raw(folder)
        inputs = raw.get("inputs") if raw.get("format_version") == 1 else None
        return None, False, None, [Path(p) for p in inputs or [] if isinstance(p, str)]
    try:
        old = load_index(folder)
    except RagError:
        return None, False, manifest, []
    if not old.manifest.embedder.same_model(ident.embedder):
        return None, False, manifest, []
    same = old.manifest.chunking == ident.chunking and old.manifest.parser == ident.parser
    return old, same, manifest, []


def _raw(folder: Path) -> dict[str, Any]:
    try:
        return mm.read_raw(folder) or {}
    except RagError:
        return {}


def _kept(todo: Plan, old: Index | None, folder: Path) -> list[Part]:
    """Old documents whose source is gone: their parts, taken whole from the old index."""
    if todo.keep and old is None:
        raise RagError(
            f"the source of {todo.keep[0]} is gone and the index in {folder} cannot give its "
            f"vectors (another embedder, or unreadable); restore the file or "
            f"`rag index remove {todo.keep[0]} --index {folder}`"
        )
    return [replace(reused_part(old, doc), status="kept") for doc in todo.keep] if old else []


def _write(
    folder: Path,
    assembled: dict[str, Any],
    ident: Identity,
    settings: Settings,
    todo: Plan,
    parts: list[Part],
    skipped: list[str],
    old: mm.Manifest | None,
) -> mm.Manifest:
    """Write the new data folder and commit its manifest; the old version stays until then."""
    data = folder / mf.new_data_name()
    try:
        files = mf.write_data(data, assembled)
        sources = _sources(todo, parts, folder, old)
        manifest = new_manifest(ident, assembled, settings, todo, sources, skipped)
        written = mf.commit(folder, replace(manifest, data=data.name, files=files))
    except OSError as exc:
        shutil.rmtree(data, ignore_errors=True)
        raise mf.write_problem(folder, exc) from exc
    except BaseException:
        shutil.rmtree(data, ignore_errors=True)
        raise
    mf.clean(folder, keep=data.name)
    return written


def _sources(
    todo: Plan, parts: list[Part], folder: Path, old: mm.Manifest | None
) -> tuple[mm.Source, ...]:
    """Where each document came from: its file now, or the old record for a kept one."""
    by_stem = {f.stem: f for f in todo.files}
    before = {s.doc: s for s in old.sources} if old else {}
    out = []
    for part in parts:
        doc = part.meta.doc
        if doc in by_stem:
            out.append(mm.Source(doc, mm.Location.of(by_stem[doc], folder), part.meta.sha256))
        else:
            out.append(before[doc])
    return tuple(out)


def _delete_uploads(folder: Path, old: mm.Manifest | None, remove: tuple[str, ...]) -> None:
    """A removed document that was uploaded into the index folder: its copy goes too."""
    for source in old.sources if old else ():
        if source.doc in remove and not source.path.abs:
            (folder / source.path.rel).unlink(missing_ok=True)


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
