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
from typing import Any

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
        raise RagError(f"«{base}» is geen .txt- of .pdf-bestand; kies een .txt of een .pdf")
    return clean


def check_upload(path: Path, name: str, indexed: set[str]) -> str:
    """The safe stored name of an acceptable upload; RagError naming the fix otherwise."""
    clean = safe_name(name)
    size = path.stat().st_size
    if size == 0:
        raise RagError(f"{clean} is leeg; kies een document met tekst")
    if size > MAX_BYTES:
        raise RagError(
            f"{clean} is {size // 2**20} MB; bestanden moeten kleiner zijn dan "
            f"{MAX_BYTES // 2**20} MB"
        )
    if Path(clean).stem in indexed:
        raise RagError(
            f"er staat al een document «{Path(clean).stem}» in de index; geef het bestand "
            "een andere naam"
        )
    from rag.parsing import parse_file

    staged = path.with_name(clean) if path.name != clean else path
    if staged != path:
        shutil.copyfile(path, staged)
    try:
        doc = parse_file(staged)
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's problem
        problem = (f"{clean} is niet te lezen als tekst; kies een .txt met tekst of een .pdf "
                   f"met een tekstlaag (melding van de lezer: {exc})")  # fmt: skip
        raise RagError(problem) from exc
    finally:
        if staged != path:
            staged.unlink(missing_ok=True)
    if not doc.units:
        raise RagError(f"{clean} bevat geen tekst om te indexeren; kies een document met tekst")
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
        raise RagError("twee bestanden hebben dezelfde naam; geef er een een andere naam")
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


STAGES = {
    "read sources": "bronnen lezen",
    "embed passages": "passages inbedden",
    "embed questions": "vragen inbedden",
}


def stage_nl(stage: str, done: int, total: int) -> str:
    """A build stage with its count in Dutch: 'passages inbedden: 40 van 120'."""
    return f"{STAGES.get(stage, stage)}: {done} van {total}"


def upload_files(service: Any, files: list | None, progress: Any = None) -> tuple[str, Any]:
    """Add uploaded files to the service's index; a Dutch message either way (nothing is
    kept of a refused upload) and the index in use afterwards."""
    index, _ = service.current()
    if not files:
        return "Geen bestand gekozen.", index
    pairs = [(Path(_path(f)), Path(_path(f)).name) for f in files]

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress((done, total), desc=stage_nl(stage, done, total))

    try:
        names = add_uploads(pairs, Path(index.dir), set(index.docs), service.build, report)
    except RagError as exc:
        return f"Niet toegevoegd: {exc}", index
    service.reload()
    return f"Toegevoegd aan de index: {', '.join(names)}", service.current()[0]


def _path(f: Any) -> str:
    return f if isinstance(f, str) else getattr(f, "name", str(f))
