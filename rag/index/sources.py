"""What a build reads: every input the index knows plus the new ones, minus what was removed.

An index remembers its inputs (files and folders, as Locations) and the documents removed
from it. A build adds the paths it is given to those inputs and never drops a document
unless told (`rag index remove`, or `--replace`: exactly the paths given, plus the uploads):
a document whose source is gone (an input moved away with the index left behind, a deleted
file) is kept from the old index and reported as kept. Files uploaded into <index>/uploads/
are always an input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rag.errors import RagError
from rag.index.format import UPLOADS
from rag.index.manifest import Location, Manifest
from rag.parsing import SUFFIXES


@dataclass(frozen=True)
class Plan:
    """The inputs to record, the files to read, the old documents to keep as they are."""

    inputs: tuple[Location, ...]
    files: list[Path]
    excluded: tuple[str, ...]
    keep: tuple[str, ...]  # old documents without a source file now: kept from the old index
    missing: tuple[str, ...]  # recorded inputs that no longer exist


def check_source(src: Path) -> None:
    """A path named on the command line exists and is a folder or a .txt/.pdf file."""
    if src.is_dir():
        if not any(_ok(p) for p in src.rglob("*")):
            raise RagError(f"no .txt or .pdf files in {src}; pass files or folders that hold them")
        return
    if src.is_file() and src.suffix.lower() in SUFFIXES:
        return
    if src.is_file():
        raise RagError(f"{src} is not a .txt or .pdf file; pass .txt/.pdf files or folders")
    if src.exists():
        raise RagError(
            f"{src} is not a regular file (a FIFO, device or socket); pass .txt/.pdf files "
            "or folders"
        )
    raise RagError(f"{src} does not exist; pass existing files or folders")


def plan(
    folder: Path,
    paths: list[Path],
    old: Manifest | None,
    legacy: list[Path],
    replace_all: bool = False,
    remove: tuple[str, ...] = (),
) -> Plan:
    """Decide what the build reads from the new paths and what the old index knows."""
    known = [] if replace_all else _old_inputs(folder, old, legacy)
    uploads = folder / UPLOADS
    everything = _unique([*known, *paths, *([uploads] if uploads.is_dir() else [])])
    missing = tuple(str(p) for p in everything if not p.exists())
    named = {p.stem for p in paths if not p.is_dir()}
    old_docs = [s.doc for s in old.sources] if old and not replace_all else []
    unknown = sorted(set(remove) - set(old_docs))
    if unknown:
        raise RagError(
            f"the index in {folder} holds no document {unknown[0]!r}; `rag index info` lists "
            "the documents it holds"
        )
    inside = {s.doc for s in old.sources if not s.path.abs} if old else set()
    excluded = set() if replace_all or old is None else set(old.excluded)
    excluded = (excluded | (set(remove) - inside)) - named  # uploads are deleted instead
    dropped_files = {p for p in everything if not p.is_dir() and p.stem in remove}
    inputs = [p for p in everything if p not in dropped_files and p != uploads]
    files = [
        f for f in collect_files([p for p in everything if p.exists()]) if f.stem not in excluded
    ]
    files = [f for f in files if f.stem not in remove]
    have = {f.stem for f in files}
    keep = tuple(d for d in old_docs if d not in have and d not in excluded and d not in remove)
    if not files and not keep:
        names = ", ".join(map(str, paths or everything)) or str(folder)
        raise RagError(f"no .txt or .pdf files in {names}; pass files or folders that hold them")
    return Plan(
        inputs=tuple(Location.of(p, folder) for p in inputs),
        files=files,
        excluded=tuple(sorted(excluded)),
        keep=keep,
        missing=missing,
    )


def _old_inputs(folder: Path, old: Manifest | None, legacy: list[Path]) -> list[Path]:
    if old is None:
        return legacy
    return [loc.resolve(folder) for loc in old.inputs]


def _unique(paths: list[Path]) -> list[Path]:
    seen: dict[Path, Path] = {}
    for path in paths:
        seen.setdefault(Path(path).resolve(), Path(path))
    return list(seen.values())


def collect_files(sources: list[Path]) -> list[Path]:
    """The .txt/.pdf files named or inside the folders named, ordered by document key."""
    found: dict[Path, None] = {}
    for src in map(Path, sources):
        if src.is_dir():
            found.update(dict.fromkeys(p.resolve() for p in sorted(src.rglob("*")) if _ok(p)))
        elif _ok(src):
            found[src.resolve()] = None
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
