"""Answers that answer nothing: "Ja, het kabinet is bekend met het artikel."

Most sets of Kamervragen open with "Bent u bekend met het bericht ...?", and the government
answers "Ja, het kabinet is bekend met dit bericht." That Vraag names the question's whole
topic, so its unit often retrieves strongest, and its answer sentence reads as a direct
"Ja" to whatever the user asked ("Is Huawei allowed in the core of the 5G network?"). Such a
sentence is never quoted unless the question asks whether something is known
(rag/answering/choose.py), and a unit whose answer is nothing else goes after the units that
pass the gate beside it (rag/answering/pipeline.py): it is quoted only when nothing else
passes. Measured on fold A of eval/dev.jsonl (eval/RESULTS.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# a subject, "bekend met" and a short object, nothing more ("Ik ben bekend met deze feiten.");
# "Het kabinet is bekend met de zorgwekkende berichten over repressie van ..." says more
ACKNOWLEDGES = re.compile(
    r"^((ja|nee)\b,?\s*)?(\w+\s+){1,3}((is|ben|zijn)\s+)?(\w+\s+)?"
    r"bekend met(\s+[^\s.]+){1,5}\s*\.?$",
    re.IGNORECASE,
)
_PARTICLE = r"^((ja|nee)\b,?\s*)?"
_OBJECT = r"(\s+[^\s.]+){1,5}\s*\.?$"  # a short object: "het artikel", "dit bericht van de NOS"
# the other ways the same answer is written: "Daar ben ik mee bekend.", "Ja, het bericht is
# (mij) bekend.", "Ik heb kennisgenomen van het artikel.", "Ja, ik ken het bericht."
ALSO_ACKNOWLEDGES = re.compile(
    _PARTICLE + r"(?:(daar|hier)\s+(ben|is|zijn)\s+(\w+\s+){1,2}mee\s+bekend\s*\.?$"
    r"|(\w+\s+){1,3}(is|zijn)\s+((mij|ons|mijn ambtgenoot)\s+)?bekend\s*\.?$"
    r"|(\w+\s+){1,3}(heb|hebben|heeft)\s+(\w+\s+)?kennis\s*genomen\s+van"
    + _OBJECT
    + r"|(ik|wij|we|het kabinet)\s+(ken|kennen|kent)"
    + _OBJECT
    + ")",
    re.IGNORECASE,
)
ASKS_AWARE = re.compile(
    r"\b(bekend met|aware of|familiar with|kennis\s*genomen|kent u|ken je)\b", re.IGNORECASE
)


def acknowledgement(sentence: str, question: str) -> bool:
    """True when the sentence only says that an article or report is known (ACKNOWLEDGES)
    and the question does not ask whether it is."""
    text = sentence.strip()
    said = ACKNOWLEDGES.search(text) or ALSO_ACKNOWLEDGES.search(text)
    return bool(said) and not ASKS_AWARE.search(question)


def quotable(sentences: list[str]) -> list[str]:
    """The sentences a quote can stand on (a bare "Ja." or "Nee." says nothing by itself)."""
    return [text for text in sentences if len(text) > 3]


def only_acknowledges(sentences: list[str], question: str) -> bool:
    """True when every sentence of an answer is an acknowledgement (a hollow answer)."""
    usable = quotable(sentences)
    return bool(usable) and all(acknowledgement(text, question) for text in usable)


def hollow_last(hits: list[T], sentences: Callable[[T], list[str]], question: str) -> list[T]:
    """The hits with a sentence to quote (sentences: the answer's sentences of a hit), in
    their order, those with a hollow answer moved after the others. A unit answered by a
    bare "Ja." is left out, so the next unit that passed the gate is quoted instead of none."""
    kept = [h for h in hits if quotable(sentences(h))]
    return sorted(kept, key=lambda h: only_acknowledges(sentences(h), question))
