"""The data types of the pipeline: Document -> Unit -> Passage -> Hit -> Answer/Citation.

Everything here is a frozen dataclass with plain fields so it round-trips through JSON
(``to_dict`` / ``from_dict``) without pickle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal, Protocol

DocKind = Literal["answers", "questions", "letter", "provincial", "plain"]
DOC_KINDS: tuple[str, ...] = DocKind.__args__  # type: ignore[attr-defined]
RETRIEVAL_MODES = ("hybrid", "bm25", "dense")
ANSWER_MODES = ("generate", "quote")
UnitKind = Literal["qa", "question", "paragraph"]
RefKind = Literal["kamerstuk", "kenmerk", "aanhangsel"]


def _tuple(value: Any) -> tuple:
    return tuple(value) if value is not None else ()


@dataclass(frozen=True)
class Ref:
    """A normalised reference: canonical key (``kst-32761-152``) and display form."""

    key: str
    display: str
    kind: RefKind


@dataclass(frozen=True)
class Person:
    """A member who asked or a minister who answered; party only for members."""

    name: str
    party: str | None = None
    role: str | None = None  # e.g. "minister van Buitenlandse Zaken"


@dataclass(frozen=True)
class Footnote:
    """A footnote body taken out of the running text, attached to the unit of its marker."""

    n: int
    text: str
    refs: tuple[str, ...] = ()
    anchor: str = ""  # the words just before its marker in the running text ("" if unknown)


@dataclass(frozen=True)
class DocMeta:
    """Document-level metadata, as far as the text states it."""

    doc: str  # file name without extension: the key in evaluations
    kind: DocKind
    title: str = ""  # subject line
    date_sent: str | None = None  # ISO date the questions were sent (ingezonden)
    date: str | None = None  # ISO date of the document itself (letter, answers)
    kenmerk: str | None = None  # e.g. 2021Z13647
    dossiers: tuple[str, ...] = ()  # e.g. ("32 735", "35 207")
    kamerstuk_nr: str | None = None  # e.g. "286"
    aanhangsel: str | None = None  # canonical ah-tk-... key
    members: tuple[Person, ...] = ()
    ministers: tuple[Person, ...] = ()
    source: str = ""  # source file name
    sha256: str = ""
    refs: tuple[str, ...] = ()  # canonical keys identifying the document itself

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DocMeta:
        d = dict(d)
        d["members"] = tuple(Person(**p) for p in d.get("members") or ())
        d["ministers"] = tuple(Person(**p) for p in d.get("ministers") or ())
        for key in ("dossiers", "refs"):
            d[key] = _tuple(d.get(key))
        return cls(**{k: v for k, v in d.items() if k in _names(cls)})


@dataclass(frozen=True)
class Unit:
    """One citable unit: a Vraag with its Antwoord, a question without answer, or a paragraph."""

    doc: str
    unit_id: str  # stable: f"{doc}#v8", f"{doc}#p3", ...
    kind: UnitKind
    vraag: tuple[int, ...] | None  # question numbers, None for paragraphs / unnumbered
    label: str  # human label: "Vraag 8 / Antwoord 8"
    question: str = ""
    answer: str = ""
    text: str = ""  # the running text (question + answer, or the paragraph)
    footnotes: tuple[Footnote, ...] = ()
    refs: tuple[str, ...] = ()  # canonical keys found in text and footnotes
    order: int = 0  # position in the document
    # unit_ids of this document the answer points to ("Zie het antwoord op vraag 7"), or the
    # Mededeling that stands in for the answers; resolved links, their text is not copied here
    see_units: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["vraag"] = list(self.vraag) if self.vraag is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Unit:
        d = {k: v for k, v in d.items() if k in _names(cls)}
        d["vraag"] = tuple(d["vraag"]) if d.get("vraag") is not None else None
        d["footnotes"] = tuple(
            Footnote(
                n=f["n"], text=f["text"], refs=_tuple(f.get("refs")), anchor=f.get("anchor", "")
            )
            for f in d.get("footnotes") or ()
        )
        d["refs"] = _tuple(d.get("refs"))
        d["see_units"] = _tuple(d.get("see_units"))
        return cls(**d)


@dataclass(frozen=True)
class Document:
    """A parsed document: its metadata, its units and the references it names."""

    meta: DocMeta
    units: tuple[Unit, ...]
    ref_index: dict[str, Ref] = field(default_factory=dict)  # key -> display form


@dataclass(frozen=True)
class Passage:
    """What is embedded for a unit: a piece of its running text (field "text", embedded with
    the document title and unit label before it), its Vraag ("question") or its Antwoord
    ("answer"). A unit's dense score is the best of its passages."""

    passage_id: int
    unit_id: str
    doc: str
    text: str
    part: int = 0
    field: str = "text"  # text | question | answer


@dataclass(frozen=True)
class Hit:
    """A retrieved unit with its fused score and the per-mode scores and ranks."""

    rank: int
    unit: Unit
    score: float
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """A source as the user sees it: number, structural address, references, quote."""

    n: int
    doc: str
    unit_id: str
    vraag: tuple[int, ...] | None
    label: str
    address: str
    refs: tuple[str, ...] = ()
    quote: str = ""  # the quoted sentences (" … " between sentences that are not adjacent)
    text: str = ""  # the unit's whole answer text (what the quote was taken from)
    quoted: tuple[int, ...] = ()  # positions of the quoted sentences in split_sentences(text)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["vraag"] = list(self.vraag) if self.vraag is not None else None
        d["refs"] = list(self.refs)
        d["quoted"] = list(self.quoted)
        return d


@dataclass(frozen=True)
class Answer:
    """The final, verified answer with its citations and per-stage timings."""

    question: str
    answer: str
    refused: bool
    mode_used: Literal["generate", "quote", "refuse"]
    citations: tuple[Citation, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    lang: str = "nl"
    index_hash: str = ""
    context: str = ""  # the earlier question this one was read with (a follow-up), if any
    # why it was refused: no unit passed the evidence gate, or the units on the topic give
    # no amount of the money or measure asked (rag/answering/asks.py); "" when answered
    refusal: Literal["", "no_source", "no_amount"] = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["citations"] = [c.to_dict() for c in self.citations]
        return d


def _names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


@dataclass(frozen=True, eq=False)
class Query:
    """A question analysed once; retrieval, the evidence gate, quoting and verification read it.

    ``text`` is what the user typed (cleaned); ``search_text`` is what retrieval reads (the
    same, or read together with an earlier question for a follow-up); ``terms`` are the
    analyzer's stemmed terms of ``search_text``, ``evidence_terms`` those that count as
    evidence of the topic (English function words and the like left out); ``vector`` is the
    embedded ``search_text`` once a dense side needs it.
    """

    text: str
    lang: str
    search_text: str
    terms: tuple[str, ...]
    evidence_terms: frozenset[str]
    names: frozenset[str] = frozenset()  # terms of capitalised names, numbers and codes
    context: str = ""  # the earlier question it was read with, if any
    vector: Any = None  # numpy float32 (dim,), or None until embedded

    def with_vector(self, vector: Any) -> Query:
        """A copy that carries its embedding."""
        return replace(self, vector=vector)


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to documents, document kinds and a date range (ISO dates)."""

    docs: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # DocKind values
    date_from: str | None = None
    date_to: str | None = None

    def allows(self, meta: DocMeta) -> bool:
        """True when a document passes every filter that is set."""
        if self.docs and meta.doc not in self.docs:
            return False
        if self.kinds and meta.kind not in self.kinds:
            return False
        day = meta.date or meta.date_sent
        if (self.date_from or self.date_to) and not day:
            return False
        if self.date_from and day < self.date_from:
            return False
        return not (self.date_to and day > self.date_to)


class Retriever(Protocol):
    """Finds the units that answer a question."""

    def search(
        self, query: Query | str, k: int = 5, mode: str = "hybrid", filters: Filters | None = None
    ) -> list[Hit]:
        """Top-k units for the query, best first, ranks starting at 1."""
        ...


class Answerer(Protocol):
    """Turns a question into a verified, cited answer."""

    def ask(
        self,
        question: str,
        k: int = 5,
        mode: str = "generate",
        filters: Filters | None = None,
        on_text: Callable[[str], None] | None = None,
        context: str = "",
        on_sources: Callable[[tuple[Citation, ...]], None] | None = None,
    ) -> Answer:
        """The final answer; on_text receives answer text as it becomes final (streaming).

        context is an earlier question to read this one with (a follow-up); on_sources gets
        the citations as soon as the quote's sources are known, and again, whole, whenever
        verified model sentences add sources (the numbers stay the same between calls).
        """
        ...
