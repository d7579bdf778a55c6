"""Verification of generated text: citation markers, and the literal support check that
decides when no embedder is loaded (with one, rag/answering/support.py decides).

Literal support of a sentence by the text of the unit it cites:
- every number in the sentence occurs in the cited text;
- every capitalised name (not sentence-initial) occurs in the cited text;
- every word that is not a stopword occurs, as written (case and diacritics aside), in the
  cited text or the question: a small model's near-copies garble words ("uitgewerkken",
  "privébedrijmen") or cut a phrase into a claim the source does not make;
- the share of the sentence's content words (stemmed, stopwords and words of the question
  itself excluded) found in the cited text is at least the threshold.
Words that only echo the question prove nothing, so they do not count as support; a sentence
with no content words of its own is unsupported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.analysis.terms import STOPWORDS, TOKEN_RE, Analyzer, fold

MARKER = re.compile(r"\s*\[(\d{1,2})\]")
HEADING = re.compile(r"^\s*(bronnen|bron|sources?)\s*:\s*", re.IGNORECASE)
ENDS = ".!?;:»\"'”’)"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][\w-]{2,}")
_ANALYZER = Analyzer()
STOPWORD_SET = frozenset(STOPWORDS)


@dataclass(frozen=True)
class Sentence:
    """A sentence without its markers, and the source numbers it cites."""

    text: str
    cites: tuple[int, ...]


def parse_sentence(raw: str) -> Sentence:
    """Take the [n] markers out of a sentence, and the heading lines a small model copies
    from its prompt before it ("Bronnen: [1] Antwoord 9 op Kamervragen ... 2021")."""
    cites = tuple(dict.fromkeys(int(n) for n in MARKER.findall(raw)))
    text = body(MARKER.sub("", raw))
    text = re.sub(r"\s+([.!?,;:])", r"\1", text)
    return Sentence(text, cites)


def body(text: str) -> str:
    """The text without its heading lines: a "Bronnen:"/"Sources:" label, and a line that
    does not end as a sentence does while more text follows it (a copied source address)."""
    lines = [HEADING.sub("", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    last = len(lines) - 1
    return " ".join(line for i, line in enumerate(lines) if i == last or line[-1] in ENDS)


def content_terms(text: str) -> set[str]:
    """Stemmed content words (the BM25 analyzer's tokens: stopwords removed)."""
    return set(_ANALYZER.tokens(text))


def _words(text: str) -> set[str]:
    """The text's words as the analyzer sees them before stemming (folded, 2+ characters)."""
    return set(TOKEN_RE.findall(fold(text)))


def support(sentence: str, source: str, question: str = "") -> float:
    """0..1: how well source backs sentence (0 when a number or a name is missing)."""
    src_lower = source.lower()
    for number in NUMBER.findall(sentence):
        if number not in source:
            return 0.0
    for name in NAME.findall(sentence):
        if name.lower() not in src_lower:
            return 0.0
    if _words(sentence) - _words(source) - _words(question) - STOPWORD_SET:
        return 0.0  # a word the sources do not have: invented or garbled
    terms = content_terms(sentence) - content_terms(question)
    if not terms:
        return 0.0
    return len(terms & content_terms(source)) / len(terms)
