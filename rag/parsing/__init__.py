"""Parse parliamentary documents (.txt or .pdf) into Documents of citable units.

``parse_file(path)`` and ``parse_text(text, doc)`` are the entry points; ``refs`` normalises
Kamerstuk, kenmerk and Aanhangsel references to canonical keys.
"""

from __future__ import annotations

from pathlib import Path

from rag.errors import RagError
from rag.parsing.document import parse_pages, sha256_of
from rag.parsing.pdf import fix_accents, pdf_pages, read_pdf_pages
from rag.parsing.text import txt_pages
from rag.types import Document

SUFFIXES = (".txt", ".pdf")

__all__ = ["SUFFIXES", "parse_file", "parse_text"]


def parse_text(text: str, doc: str, source: str = "") -> Document:
    """Parse plain extracted text; ``doc`` becomes the document key and unit_id prefix."""
    if not text.strip():
        raise RagError(f"{source or doc}: the text is empty; give a document with text in it")
    sha = sha256_of(text.encode("utf-8"))
    return parse_pages(txt_pages(text), text, doc, source, sha)


MAX_BYTES = 20 * 2**20  # one parliamentary document is far smaller; a bigger file is a mistake


def parse_file(path: Path) -> Document:
    """Parse a .txt or .pdf file; RagError names the file and the fix when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        what = (
            "is a directory" if path.is_dir()
            else "is not a regular file (a pipe, device or socket)" if path.exists()
            else "does not exist"
        )  # fmt: skip
        raise RagError(f"{path}: {what}; give the path of a .txt or .pdf file")
    if path.suffix.lower() not in SUFFIXES:
        raise RagError(f"{path}: unsupported file type {path.suffix!r}; give a .txt or .pdf file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise RagError(
            f"{path}: the file is {size / 2**20:.0f} MB, over the {MAX_BYTES // 2**20} MB limit "
            "for one document; split it into smaller files"
        )
    data = path.read_bytes()
    if not data.strip():
        raise RagError(f"{path}: the file is empty; give a document with text in it")
    if path.suffix.lower() == ".pdf":
        texts = read_pdf_pages(path)
        raw = fix_accents("\n".join(texts))
        return parse_pages(pdf_pages(texts), raw, path.stem, path.name, sha256_of(data))
    text = _decode(path, data)
    if not text.strip():
        raise RagError(f"{path}: the file has no text; give a document with text in it")
    return parse_pages(txt_pages(text), text, path.stem, path.name, sha256_of(data))


def _decode(path: Path, data: bytes) -> str:
    """Text in the encodings Dutch users produce: UTF-8 (with or without BOM), UTF-16 with a
    BOM (Windows Notepad), else Windows-1252 / Latin-1. Binary data is refused."""
    binary = RagError(
        f"{path}: looks like a binary file, not text; give a UTF-8 .txt file or a .pdf"
    )
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise binary  # a UTF-32 mark: no editor here writes it; treat as binary
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise binary from exc
    elif b"\x00" in data[:4096]:
        raise binary
    else:
        text = _decode_8bit(data)
    if "\x00" in text:
        raise binary
    return text.removeprefix("\ufeff")


def _decode_8bit(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # the five bytes cp1252 leaves undefined
