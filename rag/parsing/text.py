"""Page structure and text cleaning: pages, running headers, paragraphs, hyphenation.

Extracted text arrives hard-wrapped. A new page starts with a line that begins with a single
space (the seeds), a form feed, or a running header block ("Onze Referentie" / "BZDOC-...").
Lines are joined into paragraphs; a line-break hyphen is removed only where the word
continues in lowercase (``mensen-\\nrechten``), never after a capital or digit (``AI-\\nsystemen``)
and never inside a URL. Wording and typography are otherwise kept verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Layout = Literal["blank", "double", "flow"]

_HEADER_ANCHOR = re.compile(r"^\s*(Onze [Rr]eferentie|Ons kenmerk|Uw [Rr]eferentie)\s*$")
_HEADER_ID = re.compile(r"^\s*[A-Z][A-Za-z]*[-/ ]?[0-9][0-9A-Za-z/-]*\s*$")
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_END_PUNCT = '.?!:;”’"»)'
_URL_TOKEN = re.compile(r"(https?://|www\.)\S*$")
_URL_PIECE = re.compile(r"^[\w.~%=&?#/+:;@-]*[/_=?&~#%.-][\w.~%=&?#/+:;@-]*$")
_HYPHEN_WORD = re.compile(r"\b[^\W\d_]+(?:-[^\W\d_]+)+\b")
_HEADER_LINE = re.compile(r"^\s*[^.?!:]{3,80}:\s*$")  # "Gemiste vraag GroenLinks:"
_KEEP_SPACE_AFTER_HYPHEN = {"en", "of", "tot", "noch", "als", "dan"}


@dataclass(frozen=True)
class Line:
    """One source line, with the footnote numbers whose markers stand on it."""

    text: str
    page: int
    notes: tuple[int, ...] = ()
    page_start: bool = False

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def stripped(self) -> str:
        return self.text.strip()


def txt_pages(raw: str) -> list[list[str]]:
    """Split plain text into pages of lines; running header blocks are dropped."""
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    drop = _header_blocks(lines)
    pages: list[list[str]] = [[]]
    for i, line in enumerate(lines):
        if i in drop:
            if drop[i] and pages[-1]:
                pages.append([])
            continue
        for j, piece in enumerate(line.split("\f")):
            starts = len(piece) > 1 and piece[0] == " " and not piece[1].isspace()
            if (j > 0 or starts) and any(x.strip() for x in pages[-1]):
                pages.append([])
            pages[-1].append(piece[1:] if starts else piece)
    return [page for page in pages if any(x.strip() for x in page)]


def _header_blocks(lines: list[str]) -> dict[int, bool]:
    """Line indexes of running header blocks; True marks the first line of a block."""
    drop: dict[int, bool] = {}
    for anchor, line in enumerate(lines):
        if not _HEADER_ANCHOR.match(line):
            continue
        start, end = _header_start(lines, anchor), anchor + 1
        while end < len(lines) and not lines[end].strip():
            end += 1
        if end < len(lines) and _HEADER_ID.match(lines[end]):
            end += 1
        for i in range(start, end):
            drop[i] = i == start
    return drop


def _header_start(lines: list[str], anchor: int) -> int:
    """Walk back from a header anchor over header lines to the page gap before it."""
    start, j = anchor, anchor - 1
    while j >= 0:
        if not lines[j].strip():
            k = j
            while k >= 0 and not lines[k].strip():
                k -= 1
            start = k + 1
            if j - k >= 2:  # two or more blank lines: the gap between pages
                if k >= 0 and _PAGE_NUMBER.match(lines[k]):
                    start = k
                    while start > 0 and not lines[start - 1].strip():
                        start -= 1
                return start
            j = k
        elif len(lines[j].strip()) <= 60 and lines[j].rstrip()[-1] not in ".,;:?!":
            start, j = j, j - 1
        else:
            return start
    return start


def strip_page_numbers(page: list[str]) -> list[str]:
    """Remove a lone page number at the top or the bottom of a page."""
    content = [i for i, line in enumerate(page) if line.strip()]
    drop = {i for i in (content[:1] + content[-1:]) if _PAGE_NUMBER.match(page[i])}
    return [line for i, line in enumerate(page) if i not in drop]


def layout_of(lines: Sequence[Line]) -> Layout:
    """How paragraphs are marked: blank lines, space-only lines (double-spaced), or not at all."""
    texts = [line.text for line in lines]
    content = [i for i, t in enumerate(texts) if t.strip()]
    if not content:
        return "blank"
    followed = sum(1 for i in content if i + 1 < len(texts) and texts[i + 1] == "")
    if followed / len(content) > 0.6 and any(t and not t.strip() for t in texts):
        return "double"
    inner = texts[content[0] : content[-1] + 1]
    return "blank" if any(not t.strip() for t in inner) else "flow"


def paragraphs(lines: Sequence[Line], layout: Layout) -> list[list[Line]]:
    """Group lines into paragraphs according to the layout."""
    paras: list[list[Line]] = [[]]
    width = _typical_width(lines)
    for line in lines:
        if line.page_start and paras[-1] and _ends_paragraph(paras[-1][-1].text, line.text):
            paras.append([])
        if _is_break(line.text, layout):
            paras.append([])
            continue
        if layout == "double" and line.text == "":
            continue
        paras[-1].append(line)
        if _closes(line.text, layout, width):
            paras.append([])
    return [p for p in paras if p]


def _closes(text: str, layout: Layout, width: int) -> bool:
    """Does this line end its paragraph (without a blank line after it)?"""
    if layout == "double":  # two trailing spaces, or a short header like "Vragen X:"
        return text.endswith("  ") or _HEADER_LINE.match(text) is not None
    return layout == "flow" and _short_final(text, width)


def _is_break(text: str, layout: Layout) -> bool:
    if layout == "double":
        return text != "" and not text.strip()
    return not text.strip()


def _typical_width(lines: Sequence[Line]) -> int:
    widths = sorted(len(line.stripped) for line in lines if line.stripped)
    return widths[int(len(widths) * 0.8)] if widths else 0


def _short_final(text: str, width: int) -> bool:
    """In flowing text a paragraph ends with a clearly short line that ends a sentence."""
    t = text.strip()
    return bool(t) and t[-1] in ".?!:" and len(t) < 0.75 * width


def _ends_paragraph(prev: str, nxt: str) -> bool:
    """At a page boundary: does the previous page end a paragraph?"""
    p, n = prev.strip(), nxt.strip()
    return bool(p and n) and p[-1] in _END_PUNCT and (n[0].isupper() or n[0].isdigit())


def hyphen_vocabulary(text: str) -> set[str]:
    """Hyphenated words written on one line in the text (``consulaten-generaal``)."""
    return {m.group(0).lower() for m in _HYPHEN_WORD.finditer(text)}


def join_lines(texts: Sequence[str], vocab: set[str] | frozenset[str] = frozenset()) -> str:
    """Join the hard-wrapped lines of one paragraph into one string."""
    out, prev_raw = "", ""
    for raw in texts:
        line = raw.strip()
        if not line:
            continue
        if out:
            sep = _separator(out, prev_raw, line, vocab)
            out = out[:-1] + line if sep is None else out + sep + line
        else:
            out = line
        prev_raw = raw
    return out


def _continues_url(out: str, prev_raw: str, line: str) -> bool:
    """A URL broken at the line end (no trailing space) continues on the next line."""
    if not _URL_TOKEN.search(out) or prev_raw[-1:].isspace():
        return False
    return out.endswith("-") or " " not in line or bool(_URL_PIECE.match(line.split()[0]))


def _separator(out: str, prev_raw: str, line: str, vocab: set[str] | frozenset[str]) -> str | None:
    """What joins ``out`` and the next line: a space, nothing, or None (drop the hyphen)."""
    if _continues_url(out, prev_raw, line):
        return ""
    if not (out.endswith("-") and len(out) > 1 and out[-2].isalnum()):
        return " "
    first = re.match(r"[^\W\d_]+", line)
    if first and first.group(0) in _KEEP_SPACE_AFTER_HYPHEN:
        return " "  # "trein-\nen vliegtickets": a suspended compound
    if not (first and line[0].islower() and out[-2].islower()):
        return ""  # AI-systemen, EU-landen, COVID-19-sneltest: the hyphen is real
    left = re.search(r"[^\W\d_]+-$", out)
    if left and f"{left.group(0)}{first.group(0)}".lower() in vocab:
        return ""  # written with a hyphen elsewhere in the document
    return None


def render(lines: Sequence[Line], layout: Layout, vocab: set[str] = frozenset()) -> str:
    """Clean running text: paragraphs separated by one blank line."""
    paras = (join_lines([line.text for line in p], vocab) for p in paragraphs(lines, layout))
    return "\n\n".join(p for p in paras if p)
