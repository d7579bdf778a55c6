"""The on-disk format of an index: the manifest, the checks on load, atomic writing.

The manifest records what built an index and every file it holds (size, sha256). Every
check that fails raises RagError naming the exact command that fixes it. A build writes
into a temporary sibling folder which replaces the old index only when it is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import RagError
from rag.settings import DEFAULT_CORPUS, DEFAULT_INDEX

FORMAT = "rag-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BUNDLED_PREFIX = "bundled:"
ENTRIES = frozenset(
    [MANIFEST, "docs.jsonl", "units.jsonl", "passages.jsonl", "vectors.npy", "dense.faiss"]
    + ["bm25", "questions.json", "question_vectors.npy"]
)
FOREIGN_OK = frozenset(["README.md", ".gitignore", ".gitkeep"])
# What identifies an index: the inputs and every setting that changes its contents.
HASHED_KEYS = ("format", "format_version", "embedder", "chunking", "lexical", "dense", "parser")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_records(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and sha256 of every file under folder except the manifest, by relative path."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != MANIFEST:
            out[rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
    return out


def index_hash(manifest: dict[str, Any]) -> str:
    """Short sha256 over the settings and the source checksums (not paths, not times)."""
    ident = {key: manifest.get(key) for key in HASHED_KEYS}
    ident["sources"] = [[s["doc"], s["sha256"]] for s in manifest.get("sources", [])]
    blob = json.dumps(ident, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def rebuild_command(manifest: dict[str, Any] | None, folder: Path) -> str:
    """The `rag index build ...` command that rebuilds this index with the same inputs."""
    parts = ["rag index build"]
    inputs = (manifest or {}).get("inputs") or []
    if inputs and inputs != [str(DEFAULT_CORPUS)]:
        parts += inputs
    if Path(folder).resolve() != DEFAULT_INDEX.resolve():
        parts += ["--index", str(folder)]
    name = ((manifest or {}).get("embedder") or {}).get("name", "")
    if name and not name.startswith(BUNDLED_PREFIX):
        parts += ["--embedder", name]
    if ((manifest or {}).get("dense") or {}).get("type", "flat") != "flat":
        parts += ["--faiss", manifest["dense"]["type"]]
    return " ".join(parts)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of an index folder, checked for format and version."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        what = "does not exist" if not Path(folder).exists() else f"has no {MANIFEST}"
        if not Path(folder).exists() and leftovers(Path(folder), "old"):
            raise RagError(
                f"index folder {folder} is missing: a build was killed while swapping it; "
                f"`{rebuild_command(None, folder)}` restores the previous index and updates it"
            )
        raise RagError(
            f"index folder {folder} {what}; build it with `{rebuild_command(None, folder)}`"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RagError(
            f"{path} is corrupt ({exc}); rebuild with `{rebuild_command(None, folder)}`"
        ) from exc
    check_format(manifest, folder)
    return manifest


def check_format(manifest: dict[str, Any], folder: Path) -> None:
    """Refuse a manifest of another format or format version, saying what to run."""
    fix = rebuild_command(manifest if isinstance(manifest, dict) else None, folder)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RagError(f"{folder} does not hold a rag index; rebuild with `{fix}`")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < FORMAT_VERSION:
        raise RagError(
            f"index in {folder} has format version {version}, older than {FORMAT_VERSION} "
            f"which this rag reads; rebuild it with `{fix}`"
        )
    if version > FORMAT_VERSION:
        raise RagError(
            f"index in {folder} has format version {version}, newer than {FORMAT_VERSION}: "
            f"it was built by a newer rag; update rag, or rebuild it with `{fix}`"
        )


def check_files(manifest: dict[str, Any], folder: Path) -> None:
    """Every file the manifest lists exists with its recorded size and sha256."""
    fix = rebuild_command(manifest, folder)
    for rel, record in manifest.get("files", {}).items():
        path = Path(folder) / rel
        if not path.is_file():
            raise RagError(f"index file {rel} is missing from {folder}; rebuild with `{fix}`")
        if path.stat().st_size != record["bytes"] or sha256_file(path) != record["sha256"]:
            raise RagError(
                f"index file {rel} in {folder} is corrupt (checksum differs from the "
                f"manifest); rebuild with `{fix}`"
            )


def check_embedder(manifest: dict[str, Any], name: str, dim: int, folder: Path) -> None:
    """Refuse a query embedder other than the one that built the index."""
    built = manifest["embedder"]
    if built["name"] == name and int(built["dim"]) == int(dim):
        return
    same = (
        "the default embedder (no --embedder)"
        if built["name"].startswith(BUNDLED_PREFIX)
        else f"--embedder {built['name']}"
    )
    new = {**manifest, "embedder": {"name": name}}
    raise RagError(
        f"index in {folder} was built with {built['name']} (dim {built['dim']}), not {name} "
        f"(dim {dim}); rebuild with `{rebuild_command(new, folder)}` or use {same}"
    )


def write_index(folder: Path, parts: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """Write every index file into an empty folder, the manifest last; return the manifest."""
    folder.mkdir(parents=True, exist_ok=False)
    write_jsonl(folder / "docs.jsonl", [asdict(d) for d in parts["docs"]])
    write_jsonl(folder / "units.jsonl", [u.to_dict() for u in parts["units"]])
    write_jsonl(folder / "passages.jsonl", [asdict(p) for p in parts["passages"]])
    parts["dense"].save(folder / "dense.faiss", folder / "vectors.npy")
    (folder / "bm25").mkdir()
    parts["lexical"].save(folder / "bm25")
    ids = {"unit_ids": parts["question_ids"]}
    (folder / "questions.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
    np.save(folder / "question_vectors.npy", parts["question_vectors"], allow_pickle=False)
    manifest = {**manifest, "files": file_records(folder)}
    manifest["hash"] = index_hash(manifest)
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return manifest


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per non-empty line."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write one JSON object per line (UTF-8, not escaped)."""
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def index_size(folder: Path) -> int:
    """Bytes on disk of all files in an index folder."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def swap_in(tmp: Path, folder: Path) -> None:
    """Move a finished build into place; the old index stays until the renames."""
    if not folder.exists():
        tmp.rename(folder)
        return
    for entry in folder.iterdir():  # e.g. a README kept in the index folder
        if entry.name not in ENTRIES and not (tmp / entry.name).exists():
            copy = shutil.copytree if entry.is_dir() else shutil.copy2
            copy(entry, tmp / entry.name)
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old)


def _pid_of(entry: Path, kind: str) -> int | None:
    """The PID in a leftover build folder name `.<index>.<kind>-<pid>`, else None."""
    tail = entry.name.rpartition(f".{kind}-")[2]
    return int(tail) if tail.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by another user
    return True


def leftovers(folder: Path, kind: str) -> list[Path]:
    """Build folders (`tmp` or `old`) of this index left by processes that no longer run."""
    parent, prefix = folder.parent, f".{folder.name}.{kind}-"
    if not parent.is_dir():
        return []
    found = [e for e in parent.iterdir() if e.name.startswith(prefix) and e.is_dir()]
    return sorted(e for e in found if (pid := _pid_of(e, kind)) is not None and not _alive(pid))


def recover(folder: Path) -> str | None:
    """Repair what a build killed mid-way left behind; a description of what was done.

    A build writes `.<index>.tmp-<pid>` and, to swap it in, renames the index to
    `.<index>.old-<pid>` for an instant. A kill in that instant leaves no index folder:
    the old one is renamed back. Leftover temporary folders of dead builds are removed.
    """
    done = []
    old = leftovers(folder, "old")
    if old and not folder.exists() and (old[-1] / MANIFEST).is_file():
        old[-1].rename(folder)
        done.append(f"restored the previous index from {old[-1].name}")
        old = old[:-1]
    for entry in [*old, *leftovers(folder, "tmp")]:
        shutil.rmtree(entry, ignore_errors=True)
        done.append(f"removed {entry.name}")
    return "; ".join(done) or None


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
