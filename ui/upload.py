"""Uploads: checked, parsed, stored under <index>/uploads/, indexed incrementally.

A file is refused (and nothing changes) when its type or size is wrong, its name would clash
with an indexed document, or the parser cannot read it. Only then is it copied into the
uploads folder and the index rebuilt (incrementally, atomically); a failed build removes the
copy again, and the previous index stays in place.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from rag.errors import RagError
from rag.parsing import MAX_BYTES

TYPES = (".txt", ".pdf")
UPLOADS = "uploads"
SAFE = re.compile(r"[^A-Za-z0-9_.-]+")

Progress = Callable[[str, int, int], None]


def safe_name(name: str) -> str:
    """A file name with no folders, no leading dots and only safe characters."""
    base = Path(name.replace("\\", "/")).name
    clean = SAFE.sub("_", base).lstrip(".")
    if not clean or Path(clean).suffix.lower() not in TYPES:
        raise RagError(f"{base!r} is not a .txt or .pdf file; upload a .txt or .pdf document")
    return clean


def check_upload(path: Path, name: str, indexed: set[str]) -> str:
    """The safe stored name of an acceptable upload; RagError naming the fix otherwise."""
    clean = safe_name(name)
    size = path.stat().st_size
    if size == 0:
        raise RagError(f"{clean} is empty; upload a document with text")
    if size > MAX_BYTES:
        raise RagError(f"{clean} is {size // 2**20} MB; upload files under {MAX_BYTES // 2**20} MB")
    if Path(clean).stem in indexed:
        raise RagError(
            f"a document with key {Path(clean).stem!r} is already indexed; rename the file"
        )
    from rag.parsing import parse_file

    staged = path.with_name(clean) if path.name != clean else path
    if staged != path:
        shutil.copyfile(path, staged)
    try:
        doc = parse_file(staged)
    except RagError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's problem
        problem = f"{clean} cannot be read ({exc}); upload a text .txt or a text-layer .pdf"
        raise RagError(problem) from exc
    finally:
        if staged != path:
            staged.unlink(missing_ok=True)
    if not doc.units:
        raise RagError(f"{clean} holds no text to index; upload a document with text")
    return clean


def add_uploads(
    files: list[tuple[Path, str]],
    index_dir: Path,
    indexed: set[str],
    build: Callable[[list[str | Path], Progress | None], object],
    progress: Progress | None = None,
) -> list[str]:
    """Check every file first, then store all and build once; the stored names."""
    names = [check_upload(path, name, indexed) for path, name in files]
    if len(set(names)) != len(names):
        raise RagError("two uploads have the same file name; rename one")
    folder = index_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    try:
        for (path, _), name in zip(files, names, strict=True):
            shutil.copyfile(path, folder / name)
            stored.append(folder / name)
        build([folder], progress)
    except BaseException:
        for path in stored:
            path.unlink(missing_ok=True)
        raise
    return names
