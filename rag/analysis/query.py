"""The question analysed once into a Query: language, terms, evidence terms, names."""

from __future__ import annotations

import re

from rag.analysis.lang import detect
from rag.analysis.scaffold import strip_scaffold
from rag.analysis.terms import Analyzer, fold
from rag.errors import RagError
from rag.types import ANSWER_MODES, Query

_ENGLISH_STOPWORDS_TEXT = (
    "the a an and of in is on that this with for are there what who which how why has have "
    "can could does do did was were be been by to from about it its as or but they we you "
    "your their any did dutch netherlands government cabinet minister"
)
# English function words are not evidence of a topic; a Dutch stemmer would keep them
ENGLISH_STOPWORDS = frozenset(_ENGLISH_STOPWORDS_TEXT.split())
NAME_LIKE = re.compile(r"\b(?:[A-Z][\w-]*[A-Z0-9][\w-]*|[A-Z][a-z]+|\w*\d\w*)\b")
WORDS = re.compile(r"\w\w+")
MAX_QUESTION = 2000  # characters a user may type (an earlier question read with it not counted)


def search_text(text: str, context: str = "") -> str:
    """What retrieval reads of a question: the question (after context, an earlier question
    it is read with), without the formulas of a written Kamervraag (rag/analysis/scaffold.py)."""
    return strip_scaffold(f"{context}\n{text}" if context else text)


def analyse(text: str, analyzer: Analyzer, context: str = "") -> Query:
    """The Query for a question (read together with context, an earlier question, if given)."""
    searched = search_text(text, context)
    words = [w for w in WORDS.findall(searched) if fold(w) not in ENGLISH_STOPWORDS]
    names = {t for w in NAME_LIKE.findall(searched) for t in analyzer.tokens(w)}
    return Query(
        text=text,
        lang=detect(text),
        search_text=searched,
        terms=tuple(analyzer.tokens(searched)),
        evidence_terms=frozenset(analyzer.tokens(" ".join(words))),
        names=frozenset(names),
        context=context,
    )


def checked(question: str, mode: str, k: int) -> str:
    """The question as asked, cleaned of unprintable characters; a one-line error naming the
    fix for an unknown answer mode, a k below 1, an empty or an overlong question."""
    if mode not in ANSWER_MODES:
        raise RagError(f"unknown answer mode {mode!r}; use --mode generate or --mode quote")
    if k <= 0:
        raise RagError(f"-k {k} must be a positive number of sources; pass -k 1 or more")
    cleaned = "".join(c for c in question if c.isprintable() or c in "\n\t").strip()
    if not cleaned:
        raise RagError(
            'the question is empty; ask it in words, e.g. rag ask "Wat zei het kabinet?"'
        )
    if len(cleaned) > MAX_QUESTION:
        raise RagError(f"the question has {len(cleaned)} characters; keep it under {MAX_QUESTION}")
    return cleaned
