"""What pypdf's layout mode tells about the plain text layer: table cells and vertical gaps.

pypdf's plain text joins the cells of a row with single spaces (``Geslacht(Trans) 2 3 6``) and
drops the space between paragraphs. Its layout mode keeps columns apart with runs of spaces
and vertical space as blank lines. Each plain line is matched to its layout twin (the same
text without whitespace):

- a twin with wide gaps is a table row when it has three or more cells or a neighbouring line
  is a row too (a lone gap is more likely stray alignment); its cells are joined by tabs. A
  gap after a list marker (``1.    De Gezondheidsraad``) is indentation, not a cell boundary.
- a line that ends a sentence or a lead-in (``.?!:``) and whose twin is followed by vertical
  space, or ends a list item (the next twin starts further left and is no item), gets
  ``PARAGRAPH_END``: two trailing spaces, as in double-spaced text files.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from dataclasses import dataclass

PARAGRAPH_END = "  "
_GAP = re.compile(r" {3,}")
_SPACE = re.compile(r"\s+")
_MARKER = r"(?:[•●▪◦‣\x81*–-]|\d{1,2}[.)]|[a-z][.)])"
_ONLY_MARKER = re.compile(rf"^{_MARKER}$")
_ITEM = re.compile(rf"^{_MARKER}(?:\s|$)")


@dataclass(frozen=True)
class Twin:
    """A layout-mode line: its cells and whether vertical space follows it."""

    cells: list[str]
    gap_after: bool
    indent: int


def annotate(plain: str, layout: str) -> str:
    """``plain`` with table rows tab-separated and paragraph ends before vertical gaps."""
    twins = _twins(layout)
    lines = plain.split("\n")
    found: dict[int, Twin] = {}
    for i, line in enumerate(lines):
        queue = twins.get(_key(line))
        if line.strip() and queue:
            found[i] = queue.popleft()
    rows = {i for i, t in found.items() if len(t.cells) > 2 or _row_beside(found, i)}
    out = []
    for i, line in enumerate(lines):
        twin, line = found.get(i), line.rstrip()  # trailing spaces in pypdf text mean nothing
        if i in rows:
            line = "\t".join(twin.cells)
        elif twin and _ends_paragraph(twin, line, found.get(i + 1)):
            line += PARAGRAPH_END
        out.append(line)
    return "\n".join(out)


def _twins(layout: str) -> dict[str, deque[Twin]]:
    lines = layout.split("\n")
    twins: dict[str, deque[Twin]] = defaultdict(deque)
    for i, line in enumerate(lines):
        if line.strip():
            gap = i + 1 < len(lines) and not lines[i + 1].strip()
            twins[_key(line)].append(Twin(_cells(line), gap, _text_indent(line)))
    return twins


def _ends_paragraph(twin: Twin, line: str, nxt: Twin | None) -> bool:
    """Vertical space after a finished sentence, or the end of an indented list item."""
    if line[-1:] not in ".?!:":
        return False
    if twin.gap_after:
        return True
    return nxt is not None and nxt.indent <= twin.indent - 2 and not _ITEM.match(nxt.cells[0])


def _row_beside(found: dict[int, Twin], i: int) -> bool:
    if len(found[i].cells) < 2:
        return False
    return any(j in found and len(found[j].cells) > 1 for j in (i - 1, i + 1))


def _text_indent(line: str) -> int:
    """The column where the line's text starts, after a list marker if it has one."""
    m = _ITEM.match(line.lstrip())
    text = line.lstrip()[m.end() :].lstrip() if m else line.lstrip()
    return len(line) - len(text)


def _key(line: str) -> str:
    return _SPACE.sub("", line)


def _cells(line: str) -> list[str]:
    """The layout line cut at its wide gaps; a list marker stays with its text."""
    cells = [" ".join(cell.split()) for cell in _GAP.split(line.strip())]
    if len(cells) > 1 and _ONLY_MARKER.match(cells[0]):
        cells[:2] = [f"{cells[0]} {cells[1]}"]
    return cells
