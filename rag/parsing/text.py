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

from rag.parsing.lines import ends_heading, is_row, item_kind, line_break, starts_item

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
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1, except tab and newline


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
            pages[-1].append(strip_controls(piece[1:] if starts else piece))
    return [page for page in pages if any(x.strip() for x in page)]


def strip_controls(text: str) -> str:
    """Remove C0/C1 control characters other than tab and newline."""
    return _CONTROL.sub("", text)


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


@dataclass
class _Flow:
    """What paragraph breaking remembers from line to line."""

    width: int  # typical line length (80th percentile)
    full: int  # a full line (95th percentile)
    numbered: int = 0  # lines left of a numbered item's possible heading ("2. Specifieke ...")
    listing: bool = False  # the paragraph holds bullet or dash items

    def see(self, para: list[Line], line: Line) -> None:
        """Note a list item that ``line`` opens in paragraph ``para``."""
        self.listing = self.listing and bool(para)
        kind = item_kind(line.text)
        if kind and starts_item(para[-1].text if para else ":", line.text, self.listing):
            self.numbered = 2 if kind == "number" else 0
            self.listing = self.listing or kind != "number"


def paragraphs(lines: Sequence[Line], layout: Layout) -> list[list[Line]]:
    """Group lines into paragraphs according to the layout."""
    paras: list[list[Line]] = [[]]
    flow = _Flow(*_widths(lines))
    for i, line in enumerate(lines):
        if line.page_start and paras[-1] and _ends_paragraph(paras[-1][-1].text, line.text):
            paras.append([])
        if _is_break(line.text, layout):
            paras.append([])
            continue
        if layout == "double" and line.text == "":
            continue
        flow.see(paras[-1], line)
        paras[-1].append(line)
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        closes = _closes(line.text, nxt, layout, flow)
        ended = closes or line.stripped[-1:] in ".?!:;"  # a heading ended, or was a sentence
        flow.numbered = 0 if ended else max(flow.numbered - 1, 0)
        if closes:
            paras.append([])
    return [p for p in paras if p]


def _closes(text: str, nxt: str, layout: Layout, flow: _Flow) -> bool:
    """Does this line end its paragraph (without a blank line after it)?"""
    if layout == "double":  # two trailing spaces, or a short header like "Vragen X:"
        return text.endswith("  ") or _HEADER_LINE.match(text) is not None
    if layout != "flow":
        return False
    if item_kind(nxt) in ("bullet", "dash") and (flow.listing or text.rstrip().endswith(":")):
        return False  # a list stays with its lead-in, one item a line
    # a short line ending a sentence, or two trailing spaces (vertical space in a PDF)
    if _short_final(text, flow.width) or text.endswith("  "):
        return True
    room = flow.full if flow.numbered else 0.75 * flow.width
    return not is_row(nxt) and ends_heading(text, nxt, room)


def _is_break(text: str, layout: Layout) -> bool:
    if layout == "double":
        return text != "" and not text.strip()
    return not text.strip()


def _widths(lines: Sequence[Line]) -> tuple[int, int]:
    """The typical (80th percentile) and the full (95th percentile) line length."""
    widths = sorted(len(line.stripped) for line in lines if line.stripped)
    if not widths:
        return 0, 0
    return widths[int(len(widths) * 0.8)], widths[int(len(widths) * 0.95)]


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
    """Join the hard-wrapped lines of one paragraph into one string.

    List items and table rows keep their own line; other lines are joined with a space, or
    without one where a line-break hyphen is dropped.
    """
    out, prev_raw, in_list = "", "", False
    for raw in texts:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out, in_list = line, item_kind(line) is not None
        elif line_break(out, line, in_list):
            in_list = in_list or starts_item(out, line, in_list)
            out += "\n" + line
        else:
            sep = _separator(out, prev_raw, line, vocab)
            out = out[:-1] + line if sep is None else out + sep + line
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
