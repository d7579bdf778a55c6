"""Human names for what the page shows: documents by title and address, kinds in Dutch,
the corpus in one paragraph, and dates and filters checked the way the CLI checks them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rag.analysis.dates import parse_date
from rag.answering.address import long_date, members
from rag.errors import RagError
from rag.parsing.refs import display
from rag.types import DocMeta, Filters, Unit

KIND_NL = {
    "answers": "antwoorden op Kamervragen",
    "questions": "schriftelijke vragen",
    "letter": "Kamerbrief",
    "provincial": "brief van Provinciale Staten",
    "plain": "document",
}
DATE_FORMS = "JJJJ, JJJJ-MM, JJJJ-MM-DD of DD-MM-JJJJ"


def kind_nl(kind: str) -> str:
    """The Dutch name of a document kind."""
    return KIND_NL.get(kind, "document")


def doc_day(meta: DocMeta) -> str | None:
    """The day a document is dated by (the document's own date, else the sending date)."""
    return meta.date or meta.date_sent


def doc_address(meta: DocMeta) -> str:
    """How a user cites the document as a whole: Kamerstuk, kenmerk or its title."""
    kst = " / ".join(display(k) for k in meta.refs if k.startswith("kst-"))
    if kst:
        return kst
    if meta.kenmerk:
        who = members(meta.members)
        return f"Kamervragen {meta.kenmerk}" + (f" ({who})" if who else "")
    who = members(meta.members)
    if meta.kind == "plain" and not who and meta.source:
        return Path(meta.source).name  # an uploaded document: the file the user gave it
    kind = kind_nl(meta.kind)
    return kind[:1].upper() + kind[1:] + (f" van {who}" if who else "")


def doc_label(meta: DocMeta) -> str:
    """One line naming a document: title, address and date (never the internal key alone)."""
    title = " ".join((meta.title or meta.source or meta.doc).split())
    if len(title) > 90:
        title = title[:87].rstrip() + "…"
    parts = [title, doc_address(meta), long_date(doc_day(meta))]
    return " · ".join(dict.fromkeys(p for p in parts if p))


def doc_choices(docs: dict[str, DocMeta]) -> list[tuple[str, str]]:
    """(label, key) pairs for the document filter, oldest first."""
    ordered = sorted(docs.values(), key=lambda m: (doc_day(m) or "9999", m.doc))
    return [(doc_label(m), m.doc) for m in ordered]


def kind_choices() -> list[tuple[str, str]]:
    """(Dutch name, kind) pairs for the kind filter."""
    return [(name, kind) for kind, name in KIND_NL.items()]


def summary(docs: dict[str, DocMeta], units: dict[str, Unit]) -> dict:
    """What the index holds: documents, units, kinds (Dutch, counted) and the date range."""
    kinds = Counter(kind_nl(m.kind) for m in docs.values())
    days = sorted(d for m in docs.values() if (d := doc_day(m)))
    return {
        "documents": len(docs),
        "units": len(units),
        "kinds": dict(kinds.most_common()),
        "first": days[0] if days else None,
        "last": days[-1] if days else None,
    }


def date_nl(text: str, end: bool, field: str) -> str:
    """A typed date as an ISO day, or RagError in Dutch naming the field and the forms."""
    try:
        return parse_date(text, end=end)
    except RagError:
        raise RagError(
            f"{field} «{text.strip()}» is geen datum die ik ken; schrijf {DATE_FORMS} "
            "(bijvoorbeeld 2021, 2021-07 of 13-07-2021)."
        ) from None


def filters_nl(docs: list[str], kinds: list[str], start: str, end: str) -> Filters | None:
    """Filters from the page's controls (None when nothing is chosen); dates are checked
    and normalised like the CLI's (an end date "2022" means up to 31 December 2022)."""
    low = date_nl(start, False, "De begindatum") if (start or "").strip() else None
    high = date_nl(end, True, "De einddatum") if (end or "").strip() else None
    if low and high and low > high:
        raise RagError(
            f"De begindatum ({long_date(low)}) ligt na de einddatum ({long_date(high)}); "
            "draai ze om of laat er een leeg."
        )
    filters = Filters(docs=tuple(docs or ()), kinds=tuple(kinds or ()), date_from=low,
                      date_to=high)  # fmt: skip
    return None if filters == Filters() else filters


def describe_filters(filters: Filters, docs: dict[str, DocMeta]) -> str:
    """The active filters in words, for a refusal that may be caused by them."""
    parts = []
    if filters.docs:
        parts.append("documenten: " + "; ".join(doc_label(docs[d]) if d in docs else d
                                                for d in filters.docs))  # fmt: skip
    if filters.kinds:
        parts.append("soort: " + ", ".join(kind_nl(k) for k in filters.kinds))
    if filters.date_from or filters.date_to:
        low = long_date(filters.date_from) or "het begin"
        high = long_date(filters.date_to) or "nu"
        parts.append(f"periode {low} tot en met {high}")
    return "; ".join(parts)


def corpus_rows(index: Any) -> list[list[Any]]:
    """One row per indexed document: title and address, kind, date, number of parts."""
    counts = Counter(unit.doc for unit in index.units.values())
    ordered = sorted(index.docs.values(), key=lambda m: (doc_day(m) or "9999", m.doc))
    return [[doc_label(m), kind_nl(m.kind), doc_day(m) or "", counts.get(m.doc, 0)]
            for m in ordered]  # fmt: skip
