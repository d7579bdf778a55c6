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
ASKS_AWARE = re.compile(r"\b(bekend met|aware of|familiar with|kennis genomen)\b", re.IGNORECASE)


def acknowledgement(sentence: str, question: str) -> bool:
    """True when the sentence only says that an article or report is known (ACKNOWLEDGES)
    and the question does not ask whether it is."""
    return bool(ACKNOWLEDGES.search(sentence.strip())) and not ASKS_AWARE.search(question)


def only_acknowledges(sentences: list[str], question: str) -> bool:
    """True when every sentence of an answer is an acknowledgement (a hollow answer)."""
    usable = [text for text in sentences if len(text) > 3]
    return bool(usable) and all(acknowledgement(text, question) for text in usable)


def hollow_last(hits: list[T], sentences: Callable[[T], list[str]], question: str) -> list[T]:
    """The hits in their order, those with a hollow answer (sentences: the answer's
    sentences of a hit) moved after the others."""
    return sorted(hits, key=lambda h: only_acknowledges(sentences(h), question))
