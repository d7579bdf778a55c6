"""The on-disk layout of an index folder (format 2) and how a build commits to it.

    <index>/manifest.json     the commit point: names the data folder of the current version
    <index>/data-<id>/        one version's files (see rag/index/load.py), never changed
    <index>/uploads/          documents uploaded through the UI (sources of the index)
    <index>/.lock             held by the build that runs (rag/index/lock.py)

A build writes a new `data-<id>` folder (unique per build), then replaces manifest.json
atomically (write, fsync, os.replace): a reader sees the old version or the new one, never
a half state, and the index folder itself is never renamed. Old data folders are removed
after the commit; a reader that was loading one retries with the new manifest.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
import time
import uuid
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import RagError
from rag.index.manifest import ANSWER_VECTORS, MANIFEST, FileRecord, Manifest, sha256_file

DATA_PREFIX = "data-"
LOCK = ".lock"
UPLOADS = "uploads"
# format 1 kept its files at the top of the index folder; a build over it removes them
LEGACY = frozenset(["docs.jsonl", "units.jsonl", "passages.jsonl", "vectors.npy", "dense.faiss",
                    "bm25", "questions.json", "question_vectors.npy"])  # fmt: skip
PARTIAL = ".partial"  # vectors of an unfinished build (rag/index/checkpoint.py)
FOREIGN_OK = frozenset(["README.md", ".gitignore", ".gitkeep", LOCK, UPLOADS, PARTIAL])


def new_data_name() -> str:
    """A data folder name unique to this build (time, pid, thread, random)."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return (
        f"{DATA_PREFIX}{stamp}-{os.getpid()}-{threading.get_ident() % 10**6}-{uuid.uuid4().hex[:6]}"
    )


def file_records(folder: Path) -> dict[str, FileRecord]:
    """Size and sha256 of every file under folder, by relative path."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        out[path.relative_to(folder).as_posix()] = FileRecord(
            path.stat().st_size, sha256_file(path)
        )
    return out


def write_data(data: Path, parts: dict[str, Any]) -> dict[str, FileRecord]:
    """Write every index file into a new data folder; the file records."""
    data.mkdir(parents=False, exist_ok=False)
    write_jsonl(data / "docs.jsonl", [asdict(d) for d in parts["docs"]])
    write_jsonl(data / "units.jsonl", [u.to_dict() for u in parts["units"]])
    write_jsonl(data / "passages.jsonl", [asdict(p) for p in parts["passages"]])
    parts["dense"].save(data / "dense.faiss", data / "vectors.npy")
    (data / "bm25").mkdir()
    parts["lexical"].save(data / "bm25")
    ids = {"unit_ids": parts["question_ids"]}
    (data / "questions.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
    np.save(data / "question_vectors.npy", parts["question_vectors"], allow_pickle=False)
    np.save(data / ANSWER_VECTORS, parts["answer_vectors"], allow_pickle=False)
    for path in data.rglob("*"):
        if path.is_file():
            _fsync(path)
    return file_records(data)


def read_answer_vectors(data: Path, mmap: bool = False) -> np.ndarray | None:
    """The units' query-role answer vectors, or None for an index built before them."""
    path = data / ANSWER_VECTORS
    if not path.is_file():
        return None
    return np.load(path, mmap_mode="r") if mmap else np.load(path, allow_pickle=False)


def commit(folder: Path, manifest: Manifest) -> Manifest:
    """Make manifest (with its hash) the current version of the index: one atomic rename."""
    manifest = replace(manifest, hash=manifest.identity_hash())
    tmp = folder / f".{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        text = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n"
        tmp.write_text(text, encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, folder / MANIFEST)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync(folder)
    return manifest


def _fsync(path: Path) -> None:
    """Flush a file or folder to disk (a crash after the commit keeps the new version)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean(folder: Path, keep: str) -> list[str]:
    """Remove data folders other than `keep`, stale manifest temporaries and the files of a
    format-1 index; the names removed. Only a build holding the lock may call this."""
    removed = []
    for entry in folder.iterdir():
        old_data = entry.name.startswith(DATA_PREFIX) and entry.name != keep
        stale = entry.name.startswith(f".{MANIFEST}.") or entry.name in LEGACY
        if old_data or stale:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                try:
                    entry.unlink(missing_ok=True)
                except OSError:
                    continue  # committed already; the next build tries again
            removed.append(entry.name)
    return removed


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per non-empty line."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write one JSON object per line (UTF-8, not escaped)."""
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def index_size(folder: Path, manifest: Manifest) -> int:
    """Bytes on disk of the current version's files and the manifest."""
    return sum(r.bytes for r in manifest.files.values()) + (folder / MANIFEST).stat().st_size


def check_target(folder: Path) -> None:
    """Refuse to build into a folder that holds something other than an index."""
    if folder.exists() and not folder.is_dir():
        raise RagError(f"{folder} is a file, not a folder; pass a folder with --index")
    if not folder.is_dir() or (folder / MANIFEST).is_file():
        return
    other = [e.name for e in folder.iterdir() if e.name not in FOREIGN_OK]
    if other:
        raise RagError(
            f"{folder} is not a rag index and not empty (holds {other[0]}); pass a new or "
            "empty folder with --index"
        )


def write_problem(folder: Path, exc: OSError) -> RagError:
    """One line for a failed write into the index folder: the cause and the fix."""
    where = exc.filename or folder
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        fix = "free space on that disk (or pass another --index) and build again"
        return RagError(f"no space left on the disk of {folder} while writing {where}; {fix}")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return RagError(
            f"cannot write to the index folder {folder} ({exc.strerror}); make it writable "
            "or pass a writable folder with --index"
        )
    return RagError(f"writing the index in {folder} failed at {where} ({exc.strerror}); "
                    "fix the cause and build again")  # fmt: skip
