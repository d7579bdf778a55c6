"""Sentence splitting for Dutch and English answer text (abbreviations, initials, numbers)."""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*\[\d{1,2}\])*(?=\s+|$)")

_ABBREVIATIONS_TEXT = (
    "nr nrs art bijv bv o.a d.w.z e.d etc jl jo mr dr drs ir prof mw dhr resp t.o.v z.g.a.n "
    "ca min vgl zgn i.p.v m.b.t i.v.m"
)
ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())


def _continues(piece: str, following: str) -> bool:
    """True when a split after piece was wrong: an abbreviation, an initial or a number."""
    last = piece.rsplit(None, 1)[-1].rstrip(".").lower() if piece.split() else ""
    if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
        return True
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", last):  # initials such as S.A.M
        return True
    return bool(following) and (following[0].islower() or following[0] in ",;:)")


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing markers kept ('Ja. [1] Nee.' -> ['Ja. [1]', 'Nee.'])."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        piece = text[start : m.end()].strip()
        following = text[m.end() :].lstrip()
        if piece and not (following and _continues(piece, following) and "[" not in piece):
            out.append(piece)
            start = m.end()
    tail = text[start:].strip()
    return out + ([tail] if tail else [])
