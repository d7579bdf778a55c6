"""Terms: the one analyzer of the project (fold, stopwords, stem), for BM25, the evidence gate,
quoting and verification alike.

Text is lowercased, diacritics are folded (``coördinatie`` = ``coordinatie``: PDF text and
typed queries disagree on them), stopwords are removed and the rest is stemmed. The
stopword list is our own: Snowball's Dutch list without the negations (``niet``, ``geen``,
``niets``, ``zonder``), which decide what an answer says.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

TOKEN_RE = re.compile(r"\w\w+")

_STOPWORD_TEXT = """
aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een
eens en er ge geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is
ja je kan kon kunnen maar me meer men met mij mijn moet na naar nog nu of om omdat onder ons
ook op over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat werd wezen
wie wil worden wordt zal ze zelf zich zij zijn zo zou
"""
STOPWORDS = tuple(_STOPWORD_TEXT.split())


def stopwords_hash(words: tuple[str, ...] = STOPWORDS) -> str:
    """sha256 of the stopword list (sorted, one per line), for the manifest."""
    return hashlib.sha256("\n".join(sorted(words)).encode("utf-8")).hexdigest()


def fold(text: str) -> str:
    """Lowercase and strip diacritics (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Analyzer:
    """Text -> stemmed tokens, the same for documents and queries."""

    stemmer_name: str = "dutch"
    stopwords: frozenset[str] = frozenset(STOPWORDS)
    _stemmer: Any = field(default=None, repr=False)
    # a PyStemmer object is not thread-safe: concurrent UI sessions garbled each other's
    # query stems (caught by tests/test_ui_live.py); one lock per analyzer
    _lock: Any = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer(self.stemmer_name)

    def tokens(self, text: str) -> list[str]:
        """Stemmed, stopword-free tokens of a text."""
        words = [w for w in TOKEN_RE.findall(fold(text)) if w not in self.stopwords]
        with self._lock:
            return self._stemmer.stemWords(words)

    def describe(self) -> dict[str, Any]:
        """The settings that decide the tokens (for the manifest)."""
        import Stemmer

        return {
            "stemmer": self.stemmer_name,
            "pystemmer_version": Stemmer.version(),
            "stopwords_sha256": stopwords_hash(tuple(self.stopwords)),
            "stopwords_count": len(self.stopwords),
            "fold_diacritics": True,
            "token_pattern": TOKEN_RE.pattern,
        }
