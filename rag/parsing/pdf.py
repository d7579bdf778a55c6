"""The text layer of a PDF (pypdf, no OCR), split into pages without running headers.

Handles the layout of officielebekendmakingen.nl PDFs (Aanhangsel Handelingen, Kamerstukken):
the first-page masthead, the footer with the document key, ISSN and page number. Spacing
accents from the text layer (``Kostic´``, ``Yes¸ilgöz``) are put back on their letter, the
bullet glyph (U+0081 in the text layer) becomes ``•``, a spaced subscript (``CO 2``) is
closed up, and ``pdf_layout`` marks table rows and paragraph ends.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rag.errors import RagError
from rag.parsing.pdf_layout import PARAGRAPH_END, annotate
from rag.parsing.text import strip_controls

_BOILERPLATE = [
    re.compile(p)
    for p in (
        r"^Tweede Kamer der Staten-Generaal$",
        r"^Eerste Kamer der Staten-Generaal$",
        r"^Vergaderjaar \d{4}\s*[–-]\s*\d{4}( Aanhangsel van de Handelingen)?$",
        r"^Vragen gesteld door de leden der Kamer, met de daarop door de$",
        r"^regering gegeven antwoorden$",
        r"^(ah-tk|kst|h-tk|blg)-[\w-]+$",
        r"^ISSN \d{4}\s*-\s*\d{4}$",
        r"^[’']s-Gravenhage \d{4}\b.*$",
        r"^(Tweede|Eerste) Kamer, vergaderjaar \d{4}\s*[–-]\s*\d{4}, .*$",
    )
]
_MASTHEAD_NUMBER = re.compile(r"^\d{1,5}$")
_SPACING_ACCENTS = {"´": "\u0301", "¸": "\u0327", "¨": "\u0308", "`": "\u0300", "ˆ": "\u0302"}
_ACCENT = re.compile(r"([A-Za-z])([´¸¨`ˆ])")
# The bullet glyph of these PDFs' fonts has code 0x81, which WinAnsiEncoding leaves undefined.
_BULLET_GLYPH = re.compile(r"^(\s*)\x81(?=\s)")
# A subscript set as its own text run comes out spaced: "CO 2" is CO2.
_SUBSCRIPT = re.compile(r"\b(CO|NO|SO|CH|NH) ([2-4])(?![\d,.]?\d)")


def read_pdf_pages(path: Path) -> list[str]:
    """The text of every page; RagError when the file is not a readable PDF."""
    import pypdf  # only needed for PDFs

    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")
        texts = [_page_text(page) for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for damaged files
        raise RagError(
            f"{path}: cannot read this PDF ({type(exc).__name__}: {exc}); "
            "check that it is a complete, unencrypted PDF or convert it to .txt first"
        ) from exc
    if not any(t.strip() for t in texts):
        raise RagError(
            f"{path}: the PDF has no text layer (scanned pages?); run OCR first "
            "(e.g. `ocrmypdf in.pdf out.pdf`) and parse the result"
        )
    return texts


def _page_text(page) -> str:
    """The plain text layer, with table rows marked from the layout-mode text."""
    plain = page.extract_text() or ""
    try:
        layout = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode is an extra; a page it cannot lay out keeps plain text
        layout = ""
    return annotate(plain, layout)


def fix_accents(text: str) -> str:
    """``Kostic´`` -> ``Kostić``: a spacing accent after a letter becomes a combining one."""
    fixed = _ACCENT.sub(lambda m: m.group(1) + _SPACING_ACCENTS[m.group(2)], text)
    return unicodedata.normalize("NFC", fixed)


def pdf_pages(texts: list[str]) -> list[list[str]]:
    """Page texts as lists of lines, without masthead, footers and empty lines."""
    pages = []
    for p, text in enumerate(texts):
        lines = [clean_line(line) for line in fix_accents(text).split("\n")]
        lines = [line for line in lines if line.strip() and not _boilerplate(line.strip())]
        if p == 0:
            lines = _drop_masthead_numbers(lines)
        pages.append(lines)
    return pages


def clean_line(line: str) -> str:
    """A text-layer line with its bullet glyph, subscripts and control characters repaired."""
    end = PARAGRAPH_END if line.endswith(PARAGRAPH_END) else ""
    line = _BULLET_GLYPH.sub(r"\1•", line.rstrip())
    return _SUBSCRIPT.sub(r"\1\2", strip_controls(line)) + end


def _boilerplate(line: str) -> bool:
    line = line.replace("\t", " ")
    return any(pattern.match(line) for pattern in _BOILERPLATE)


def _drop_masthead_numbers(lines: list[str]) -> list[str]:
    """The Kamer number and the Aanhangsel number stand alone at the top of page one."""
    start = 0
    while start < min(len(lines), 3) and _MASTHEAD_NUMBER.match(lines[start].strip()):
        start += 1
    return lines[start:]
