"""Letters (Kamerstukken) and plain documents: the units are paragraphs.

A letter's opening (dossier lines, ``Nr. 286 BRIEF VAN ...``, ``Aan de Voorzitter ...``,
``Den Haag, 4 februari 2020``) and its closing signatures are metadata, not paragraphs.
"""

from __future__ import annotations

import re

from rag.parsing.text import Line
from rag.parsing.units import Body, paragraph_unit
from rag.types import Unit

_OPENING_END = re.compile(
    r"^\s*(?:Aan de Voorzitter van de (?:Tweede|Eerste) Kamer|(?:Den Haag|’s-Gravenhage|"
    r"'s-Gravenhage),\s+\d{1,2}\s+\w+\s+\d{4})"
)
_SIGNATURE = re.compile(r"^\s*De\s+(?:minister|staatssecretaris)\s+(?:van|voor)\s", re.I)


def letter_parts(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], tuple[Line, ...], tuple]:
    """(opening, body, closing) of a letter."""
    start = 0
    for i, line in enumerate(lines[:60]):
        if _OPENING_END.match(line.text):
            start = i + 1
    end = len(lines)
    for i in range(len(lines) - 1, start - 1, -1):
        if _SIGNATURE.match(lines[i].text) and _closes(lines[i:]) and _role_ends(lines[i:]):
            end = i
    return lines[:start], lines[start:end], lines[end:]


def _role_ends(tail: tuple[Line, ...]) -> bool:
    """The role line of a signature ends with a comma, on its own line or the next."""
    texts = [line.stripped for line in tail[:2]]
    return any(t.endswith(",") or re.search(r",\s*\[[^\]]*\]$", t) for t in texts)


def _closes(tail: tuple[Line, ...]) -> bool:
    """A signature block is short and ends the letter."""
    return sum(1 for line in tail if not line.blank) <= 12


def paragraph_units(body: Body, lines: tuple[Line, ...]) -> list[Unit]:
    """One unit per paragraph, numbered from 1."""
    units = []
    for para in body.paragraphs(lines):
        unit = paragraph_unit(body, len(units) + 1, para)
        if unit.text:
            units.append(unit)
    return units
