"""Footnotes: take the bodies out of the running text and find the marker of each.

Bodies sit at the bottom of a page (``10 Zie onder meer Kamerstuk 35 807, nr. 3.``), numbered
in sequence through the document, with continuation lines. A body is only accepted when its
marker stands earlier on the same page. Markers are digits glued to the text
(``laboratorium,1``, ``uitgezet?20``, ``201918`` = year 2019 + marker 18) or, in PDFs, set
apart by a space (``(mvo). 2 Sinds``, ``Both Ends 1?``). ``SARS-CoV2``, ``COVID-19``, ``CO2``,
``nr. 3`` and decimals are not markers. ``[1]`` markers without bodies are simply removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rag.parsing.dutch import MONTH_PATTERN

_START = re.compile(r"^\s*(\d{1,3})(?:\s+(\S.*))?\s*$")
_BRACKET = re.compile(r"\[(\d{1,3})\]")
_CLOSERS = "?!»”’\")'"
_ABBREVIATIONS = {
    "nr", "nrs", "no", "p", "pp", "blz", "bl", "art", "artt", "artikel", "lid", "par", "hfst",
    "hfd", "bijlage", "versie", "fase", "stap", "punt", "d.d", "dd", "ca", "circa", "min", "max",
    "vgl", "zie", "aanhangsel", "nummer", "pagina", "week", "dag", "jaar", "niveau", "groep",
    "vraag", "vragen", "antwoord", "antwoorden", "hoofdstuk", "paragraaf", "onderdeel", "sectie",
    "tabel", "figuur", "categorie", "klasse", "top", "optie", "scenario", "variant", "alinea",
    "regel", "bladzijde", "kamerstuk", "kamerstukken",
}  # fmt: skip
# Words after which a number is a quantity, not a marker ("met 2 partijen", "ruim 3 jaar").
_QUANTIFIERS = {
    "de", "het", "een", "in", "op", "van", "met", "voor", "tot", "en", "of",
    "over", "na", "bij", "per", "om", "te", "dan", "die", "dat", "is", "zijn", "was", "waren",
    "worden", "werd", "wordt", "ruim", "bijna", "nog", "al", "ongeveer", "slechts", "maximaal",
    "minimaal", "uit", "door", "aan", "tussen", "vanaf", "sinds", "rond", "tegen", "hooguit",
    "minstens", "ten", "andere", "alle",
}  # fmt: skip
_AFTER_NUMBER = re.compile(
    rf"\s+({MONTH_PATTERN}|procent|%|jaar|jaren|maanden|weken|dagen|uur|miljoen|miljard|keer|x)\b",
    re.IGNORECASE,
)
_MAX_BLOCK = 14  # non-blank lines a footnote block may take at the bottom of a page


@dataclass(frozen=True)
class NoteBody:
    """A footnote body as found at the bottom of a page."""

    n: int
    page: int
    lines: tuple[str, ...]
    anchor: str = ""  # the words just before its marker in the running text ("" if none)


@dataclass(frozen=True)
class Marker:
    """Where a footnote marker stands: line index in its page and the span to delete."""

    line: int
    start: int
    end: int
    strength: int


def extract(pages: list[list[str]]) -> tuple[list[list[str]], list[NoteBody], dict]:
    """Split footnote bodies off every page and remove their markers from the text.

    Returns the pages without bodies or markers, the bodies, and ``{(page, line): [n, ...]}``
    telling on which line each footnote's marker stood (the last line of the page's text when
    no marker was found).
    """
    expected, bodies, where = 1, [], {}
    out: list[list[str]] = []
    for p, page in enumerate(pages):
        text, notes = split_page(page, expected)
        if notes:
            expected = notes[-1][0] + 1
        text, lines_of, anchors = remove_markers(text, [n for n, _ in notes])
        for n, lines in notes:
            bodies.append(NoteBody(n=n, page=p, lines=tuple(lines), anchor=anchors.get(n, "")))
            where.setdefault((p, lines_of[n]), []).append(n)
        out.append(text)
    return out, bodies, where


def split_page(page: list[str], expected: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The page's text lines and its footnote bodies ``[(n, lines)]``."""
    content = sum(1 for line in page if line.strip())
    for i, line in enumerate(page):
        m = _START.match(line)
        if not m or not expected <= int(m[1]) <= expected + 2:
            continue
        tail = page[i:]
        if sum(1 for t in tail if t.strip()) > max(_MAX_BLOCK, content // 2):
            continue
        if best_marker(page[:i], int(m[1])) is None:
            continue
        return _trim(page[:i]), _parse_block(tail, int(m[1]))
    return page, []


def _trim(lines: list[str]) -> list[str]:
    """Drop blank lines at the end (they stood between the text and the footnotes)."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return lines[:end]


def _parse_block(tail: list[str], first: int) -> list[tuple[int, list[str]]]:
    """Footnotes from the bottom block: a line starting with the next number opens one."""
    notes: list[tuple[int, list[str]]] = []
    for line in tail:
        m = _START.match(line)
        if m and int(m[1]) == (notes[-1][0] + 1 if notes else first):
            notes.append((int(m[1]), [m[2] or ""]))
        elif line.strip() and notes:
            notes[-1][1].append(line)
    return notes


def remove_markers(
    lines: list[str], numbers: list[int]
) -> tuple[list[str], dict[int, int], dict[int, str]]:
    """Delete the marker of each footnote; map each number to the line its marker stood on
    and to its anchor, the words just before the marker (so a quote can tell which of its
    sentences the footnote belongs to)."""
    lines = list(lines)
    where: dict[int, int] = {}
    anchors: dict[int, str] = {}
    after = (0, 0)
    last = max((i for i, t in enumerate(lines) if t.strip()), default=0)
    for n in numbers:
        mark = best_marker(lines, n, after)
        if mark is None:
            where[n] = last
            continue
        text = lines[mark.line]
        lines[mark.line] = text[: mark.start] + text[mark.end :]
        where[n] = mark.line
        anchors[n] = anchor_before(lines, mark.line, mark.start)
        after = (mark.line, mark.start)
    return lines, where, anchors


ANCHOR_WORDS = 6


def anchor_before(lines: list[str], line: int, column: int) -> str:
    """The last ANCHOR_WORDS words before a position, reaching back over earlier lines."""
    words = lines[line][:column].split()
    i = line - 1
    while len(words) < ANCHOR_WORDS and i >= 0:
        words = lines[i].split() + words
        i -= 1
    return " ".join(words[-ANCHOR_WORDS:])


def best_marker(lines: list[str], n: int, after: tuple[int, int] = (0, 0)) -> Marker | None:
    """The most certain marker for footnote ``n`` after position ``after``, earliest first."""
    found = [m for m in _candidates(lines, n) if (m.line, m.start) >= after]
    if not found:
        return None
    top = max(m.strength for m in found)
    best = sorted((m for m in found if m.strength == top), key=lambda m: (m.line, m.start))
    if top < 0 and len(best) > 1:
        # Several weak look-alikes ("rapport 1 geeft" ... "met 1 partij"): keep every digit,
        # since deleting a real number would corrupt a quote; attach at the first one.
        return Marker(best[0].line, best[0].start, best[0].start, top)
    return best[0]


def _candidates(lines: list[str], n: int) -> Iterator[Marker]:
    digits = str(n)
    plain = re.compile(rf"(?<!\d){digits}(?!\d)")
    glued_to_year = re.compile(rf"(?<!\d)(?:19|20)\d\d({digits})(?![\d\w])")
    for li, line in enumerate(lines):
        for m in plain.finditer(line):
            mark = _judge(line, m.start(), m.end())
            if mark is not None:
                yield Marker(li, mark[0], m.end(), mark[1])
        for m in glued_to_year.finditer(line):
            if _post_ok(line, m.end(1)):
                yield Marker(li, m.start(1), m.end(1), 1)
        for m in _BRACKET.finditer(line):
            if m.group(1) == digits:
                yield Marker(li, m.start(), m.end(), -2)


def _judge(line: str, a: int, b: int) -> tuple[int, int] | None:
    """(start of the span to delete, strength) when digits at [a, b) can be a marker."""
    if a >= 3 and line[a - 1] == " " and line[a - 2] in ".?!" and line[b : b + 1].isupper():
        return a, 0  # "gesproken. 3Toekomstige": glued to the next sentence
    if a == 0 or not _post_ok(line, b):
        return None
    pre, before = line[a - 1], line[a - 2] if a >= 2 else ""
    if pre.isalpha():
        return (a, 2) if pre.islower() else (a, 0)  # "CBS37" (weak: CO2, SARS-CoV2 look alike)
    if pre in ".,":
        if before.isalpha() or (before and before in _CLOSERS):
            return a, 2
        if before.isdigit() and _year_before(line, a - 1):
            return a, 1
        rest = line[b:].lstrip()
        return (a, 1) if before.isdigit() and (not rest or rest[0].isupper()) else None
    if pre in _CLOSERS or (pre in ";:" and not before.isdigit()):
        return a, 2
    if pre == " ":
        return _judge_spaced(line, a, b)
    return None


def _judge_spaced(line: str, a: int, b: int) -> tuple[int, int] | None:
    """A marker set apart by a space (PDF text layers): ``jl. 3``, ``Ends 1?``."""
    word = re.search(r"(\S+)\s$", line[:a])
    if word is None or _AFTER_NUMBER.match(line[b:]):
        return None
    token = word.group(1)
    if token.rstrip(".").lower() in _ABBREVIATIONS:
        return None
    if token[-1].isdigit():  # "7 november 2023 1 heb ik", "2022–2028 13."
        return (a - 1, -1) if re.fullmatch(r"(?:19|20)\d\d(?:[–-](?:19|20)\d\d)?", token) else None
    if token[-1] in ".?!»”)":
        return a - 1, 1
    post = line[b : b + 1]
    if token[-1].isalpha() and post and post in "?.,;:!)":
        return a - 1, 0
    if token[-1].islower() and token.lower() not in _QUANTIFIERS:  # "rapport 1 geeft"
        return a - 1, -1
    return None


def _post_ok(line: str, b: int) -> bool:
    """What follows a marker: the line end, a space, or closing punctuation (not a decimal)."""
    post, after = line[b : b + 1], line[b + 1 : b + 2]
    if not post or post.isspace():
        return True
    return post in ".,;:?!)»”’\"'" and not after.isdigit()


def _year_before(line: str, comma: int) -> bool:
    return re.search(r"(?<!\d)(?:19|20)\d\d$", line[:comma]) is not None


def strip_brackets(text: str) -> str:
    """Remove ``[1]``-style markers that have no body."""
    return _BRACKET.sub("", text)
