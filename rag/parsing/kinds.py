"""Which kind of document a text is: answers, questions, letter, provincial or plain."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.parsing.qa import has_answers, has_questions
from rag.parsing.text import Line
from rag.types import DocKind

_MEMO = re.compile(r"^\s*(DATUM|ONDERWERP|Datum|Onderwerp)\b")
_PROVINCE = re.compile(
    r"Provinciale Staten|Gedeputeerde Staten|Statencommissie|Statenfractie|Statenvoorstel"
    r"|Commissie (?:BEM|RGW|MME|WMC)\b|\bGS\b"
)
_ITEM = re.compile(r"^\s*\d{1,2}[.)]\s+\S")
_LETTER = re.compile(
    r"^\s*(?:Aan de Voorzitter van de (?:Tweede|Eerste) Kamer|Nr\.\s+\d+\s+BRIEF VAN)"
)


def detect(lines: Sequence[Line]) -> DocKind:
    """The DocKind of a document from its cleaned lines."""
    body = tuple(lines)
    if has_questions(body):
        return "answers" if has_answers(body) else "questions"
    texts = [line.text for line in body]
    head = [t for t in texts if t.strip()][:15]
    memo = {m.group(1).upper() for t in head if (m := _MEMO.match(t))}
    provincial = memo >= {"DATUM", "ONDERWERP"} or any(_PROVINCE.search(t) for t in texts)
    if provincial and any(_ITEM.match(t) for t in texts) and any("?" in t for t in texts):
        return "provincial"
    if any(_LETTER.match(t) for t in texts[:40]):
        return "letter"
    return "plain"
