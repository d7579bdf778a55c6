"""Does one cited source support one written sentence? Meaning, with the facts checked.

A sentence is supported by a source (a unit's quotable text) when
- every fact in it occurs in the source: numbers, dates and amounts (digits, thousands
  separators aside), Kamerstuk and kenmerk numbers, and proper names (capitalised words not
  at the start; English month and country words are read in Dutch);
- no word is a garbled copy of a source word (a small model's "testkitts");
- it is close in meaning to a passage of the source (one to three adjacent sentences): the
  multilingual embedder's cosine (the sentence in the query role, source sentences in the
  passage role) with the lexical share of its content words as the second signal, so an
  English sentence about a Dutch source is checked the same way;
- negation agrees with that passage (niet/geen/nooit/no/not/never counted on both sides);
- each clause of a sentence joined with "en"/";"/"and" is close to the source on its own.
The passage that supports the sentence is what the answer highlights. Thresholds were chosen
on the calibration set of eval/calibration_support.py (eval/RESULTS.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from rag.analysis.lang import EN, NL, detect
from rag.analysis.query import ENGLISH_STOPWORDS
from rag.analysis.sentences import split_sentences
from rag.analysis.terms import Analyzer, fold
from rag.answering.choose import SentenceVectors
from rag.answering.cite import quotable_text
from rag.types import Unit

NUMBER = re.compile(r"\d+(?:(?:[.,]|\s(?=\d{3}\b))\d+)*")
KENMERK = re.compile(r"\b\d{4}[ZD]\d{5}\b")
NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][\w'-]+")
NEGATION = re.compile(
    r"\b(niet|geen|nooit|niets|niemand|noch|not|no|never|none|nothing|nobody|nor)\b|n't\b",
    re.IGNORECASE,
)
PARTICLE = re.compile(r"^\s*(nee|neen|no|ja|yes)\b[,;:.]?\s*", re.IGNORECASE)
CLAUSE = re.compile(r";|,?\s+(?:en|maar|and|but)\s+")
ENGLISH_NAMES = {
    "dutch": "nederland", "netherlands": "nederland", "january": "januari",
    "february": "februari", "march": "maart", "may": "mei", "june": "juni", "july": "juli",
    "august": "augustus", "october": "oktober", "european": "europ", "europe": "europa",
    "parliament": "kamer", "house": "kamer", "cabinet": "kabinet", "government": "kabinet",
    "minister": "minister", "chinese": "chin", "china": "chin", "i": "", "the": "",
}  # fmt: skip
_ANALYZER = Analyzer()
# words that start a sentence without being a name
STARTERS = frozenset(
    "via volgens sinds tijdens na voor door onder bij over daarna daarom daarnaast zo "  # noqa: SIM905
    "bovendien tenslotte eerder inmiddels beide slechts bijna ongeveer".split()
)


@dataclass(frozen=True)
class SupportSettings:
    """Thresholds of the check (chosen on the calibration set)."""

    cosine: float = 0.80  # sentence vs its best passage, with lexical >= lexical
    lexical: float = 0.70
    cosine_alone: float = 1.01  # without lexical overlap (1.01: never; see eval/RESULTS.md)
    clause: float = 0.0  # each clause vs its best passage


@dataclass(frozen=True)
class Support:
    """The verdict for one sentence and one source, with the passage that supports it."""

    ok: bool
    positions: tuple[int, ...] = ()  # sentences of the source's quotable text
    cosine: float = 0.0
    lexical: float = 0.0
    clause: float = 1.0  # the lowest cosine of a clause with its best source sentence
    reason: str = ""


def accepts(signals: Support, s: SupportSettings) -> bool:
    """The verdict from the signals (facts and negation already passed)."""
    close = (signals.cosine >= s.cosine and signals.lexical >= s.lexical) or (
        signals.cosine >= s.cosine_alone
    )
    return close and signals.clause >= s.clause


def numbers(text: str) -> set[str]:
    """Numbers in one form: thousands separators and the space of a dossier number out
    ("40.000", "30 821"), a decimal comma or point as "." ("19,6" and "19.6")."""
    out = set()
    for raw in NUMBER.findall(text):
        groups = re.split(r"[.,\s]", raw)
        if all(len(g) == 3 for g in groups[1:]):
            out.add("".join(groups))
        else:
            out.add("".join(groups[:-1]) + "." + groups[-1])
    return out


def missing_fact(sentence: str, source: str) -> str:
    """The first fact of the sentence the source lacks, or ""."""
    for k in KENMERK.findall(sentence):
        if k not in source:
            return k
    have = numbers(source)
    for n in numbers(sentence):
        if n not in have:
            return n
    words = set(re.findall(r"\w+", fold(source)))
    for found in _first_name(sentence) + NAME.findall(sentence):
        for name in (p for p in re.split(r"[-']", found) if p[:1].isupper()):
            key = ENGLISH_NAMES.get(name.lower(), fold(name))
            if key and not any(w.startswith(key[:6]) for w in words):
                return name
    return ""


def _first_name(sentence: str) -> list[str]:
    """The first word when it may be a name ("Rusland testte ..."): capitalised and no
    function word of either language."""
    m = re.match(r"\s*([A-Z][\w'-]{2,})\b(?![,;:])", PARTICLE.sub("", sentence))
    if not m or fold(m.group(1)) in ENGLISH_STOPWORDS | EN | NL | STARTERS:
        return []
    return [m.group(1)] if _ANALYZER.tokens(m.group(1)) else []


def garbled(sentence: str, source: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """A word of a Dutch sentence that is a near miss of a source word (edit distance <= 2,
    not an inflection) and no word of the corpus: a small model's garbled copy, or ""."""
    if detect(sentence) != "nl":
        return ""  # an English word near a Dutch one is a translation ("diagnostics")
    src = set(re.findall(r"\w{6,}", fold(source)))
    stems = set(_ANALYZER.tokens(" ".join(src)))
    for word in re.findall(r"\w{6,}", fold(sentence)):
        if word in src or word in vocabulary or set(_ANALYZER.tokens(word)) <= stems:
            continue
        if any(word.startswith(w) or w.startswith(word) for w in src):
            continue  # an inflection ("besteld" -> "bestelde"), not a garbled copy
        if any(abs(len(word) - len(w)) <= 2 and _close(word, w) for w in src):
            return word
    return ""


def _close(a: str, b: str) -> bool:
    """Levenshtein distance of a and b is 1 or 2."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > 2:
            return False
        prev = cur
    return 0 < prev[-1] <= 2


def lexical_share(sentence: str, source: str, question: str = "") -> float:
    """Share of the sentence's stemmed content words (not the question's) in the source."""
    terms = set(_ANALYZER.tokens(sentence)) - set(_ANALYZER.tokens(question))
    if not terms:
        return 0.0
    return len(terms & set(_ANALYZER.tokens(source))) / len(terms)


def negations(text: str) -> int:
    """How many negation words the text has."""
    return len(NEGATION.findall(text))


def negation_agrees(clause: str, closest: list[str]) -> bool:
    """A negated clause needs a negated closest source sentence; a clause that copies half
    of one of its two closest source sentences is negated when that sentence is (a negation
    dropped or added is a flipped claim). An answer particle ("Nee, ...", "No, ...") is not
    the clause's own negation."""
    clause = PARTICLE.sub("", clause)
    have = negations(clause)
    for source in closest:
        negated = negations(PARTICLE.sub("", source)) > 0
        if lexical_share(clause, source) >= 0.5 and (have > 0) != negated:
            return False
    return negations(closest[0]) > 0 if have else True


def windows(n: int, width: int = 3) -> list[tuple[int, ...]]:
    """Runs of 1..width adjacent sentence positions."""
    return [tuple(range(i, i + w)) for w in range(1, width + 1) for i in range(n - w + 1)]


class SupportChecker:
    """The check of one sentence against one source unit (sentence vectors cached per unit)."""

    def __init__(
        self,
        vectors: SentenceVectors,
        settings: SupportSettings | None = None,
        vocabulary: frozenset[str] = frozenset(),
    ) -> None:
        self.vectors = vectors
        self.settings = settings or SupportSettings()
        self.vocabulary = vocabulary  # the corpus's words (folded): not garbled

    def check(self, sentence: str, unit: Unit, question: str = "") -> Support:
        """Is the sentence supported by the unit? (see the module docstring)"""
        source = quotable_text(unit)
        notes = " ".join(f.text for f in unit.footnotes)  # its Kamerstuk references
        fact = missing_fact(sentence, source + " " + notes) or garbled(
            sentence, source, self.vocabulary
        )
        if fact:
            return Support(False, reason=f"not in source: {fact}")
        parts = split_sentences(source)
        matrix = self.vectors.of(unit.unit_id, parts)
        if matrix is None or self.vectors.embedder is None:
            return Support(False, reason="no embedder")
        clauses = [c for c in CLAUSE.split(sentence) if len(_ANALYZER.tokens(c)) >= 3]
        texts = [sentence] + (clauses if len(clauses) > 1 else [])
        q = np.asarray(self.vectors.embedder.embed(texts, "query"), dtype=np.float32)
        best, cos = _best(q[0], matrix)
        checked = zip(texts[1:], q[1:], strict=True) if len(texts) > 1 else [(sentence, q[0])]
        for text, v in checked:  # each clause's negation agrees with its closest sentence
            closest = [parts[int(i)] for i in np.argsort(-(matrix @ v))[:2]]
            if not negation_agrees(text, closest):
                return Support(False, cosine=cos, reason="negation differs")
        passage = " ".join(parts[i] for i in best)
        lex = lexical_share(sentence, passage, question)
        clause = min((float((matrix @ v).max()) for v in q[1:]), default=1.0)
        signals = Support(False, best, cos, lex, clause=clause)
        ok = accepts(signals, self.settings)
        return replace(signals, ok=ok, reason="" if ok else "not close enough")


def _best(v: np.ndarray, matrix: np.ndarray) -> tuple[tuple[int, ...], float]:
    """The window of adjacent source sentences closest to v, and its cosine."""
    best, best_cos = (0,), -1.0
    for window in windows(len(matrix)):
        mean = matrix[list(window)].mean(axis=0)
        cos = float(mean @ v / (np.linalg.norm(mean) or 1.0))
        if cos > best_cos:
            best, best_cos = window, cos
    return best, best_cos
