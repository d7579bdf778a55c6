"""Structural citation addresses users can quote, from the parsed metadata of a unit."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.parsing.dutch import MONTH_NAMES as MONTHS
from rag.parsing.refs import display
from rag.types import DocMeta, Person, Unit

_PROVINCES_TEXT = (
    "Groningen Fryslân Friesland Drenthe Overijssel Flevoland Gelderland Utrecht "
    "Noord-Holland Zuid-Holland Zeeland Noord-Brabant Limburg"
)
PROVINCES = _PROVINCES_TEXT.split()


def long_date(iso: str | None) -> str:
    """'2020-12-22' -> '22 december 2020' ('' when unknown)."""
    if not iso:
        return ""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d} {MONTHS[m - 1]} {y}"


def short_date(iso: str | None) -> str:
    """'2020-02-12' -> '12-2-2020' ('' when unknown)."""
    if not iso:
        return ""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d}-{m}-{y}"


def members(people: Iterable[Person]) -> str:
    """'lid Kerseboom, FvD' or 'leden Ceder (ChristenUnie) en Van der Staaij (SGP)'."""
    people = list(people)
    if not people:
        return ""
    if len(people) == 1:
        p = people[0]
        return f"lid {p.name}" + (f", {p.party}" if p.party else "")
    named = [f"{p.name} ({p.party})" if p.party else p.name for p in people]
    return "leden " + ", ".join(named[:-1]) + " en " + named[-1]


def numbers(vraag: tuple[int, ...] | None) -> str:
    """'8' or '20 en 21' or '47, 48, 49 en 50'."""
    if not vraag:
        return ""
    parts = [str(n) for n in vraag]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def province_of(texts: Iterable[str]) -> str | None:
    """The province a provincial letter is about: the one named most often (None if none)."""
    counts = {p: 0 for p in PROVINCES}
    for text in texts:
        for p in PROVINCES:
            counts[p] += len(re.findall(rf"\b{re.escape(p)}", text))
    best = max(counts, key=lambda p: counts[p])
    return best if counts[best] else None


def address(unit: Unit, meta: DocMeta, province: str | None = None) -> str:
    """The unit's address as a user would cite it."""
    year = (meta.date or meta.date_sent or "")[:4]
    who = members(meta.members)
    if meta.kind == "answers" and unit.vraag:
        about = meta.kenmerk or (f"over {meta.title}" if meta.title else "")
        head = f"Antwoord {numbers(unit.vraag)} op Kamervragen {about}".rstrip()
        tail = f" ({who})" if who else ""
        extra = f", {display(meta.aanhangsel)}" if meta.aanhangsel else ""
        return head + tail + (f", {year}" if year else "") + extra
    if unit.kind == "question" or meta.kind == "questions":
        n = f"Vraag {numbers(unit.vraag)}" if unit.vraag else "Vraag"
        when = long_date(meta.date_sent or meta.date)
        by = f" van {who.replace(', ', ' (', 1)})" if who and "leden" not in who else f" van {who}"
        return (
            f"{n}{by if who else ''}"
            + (f", {when}" if when else "")
            + (" (onbeantwoord in dit corpus)")
        )
    if meta.kind == "letter":
        kst = " / ".join(display(k) for k in meta.refs if k.startswith("kst-"))
        where = kst or f"Brief «{meta.title}»"
        return f"{where}, {unit.label.lower()}" + (f", {long_date(meta.date)}" if meta.date else "")
    if meta.kind == "provincial":
        place = f"Brief provincie {province}" if province else f"Provinciale brief «{meta.title}»"
        when = short_date(meta.date)
        item = f"vraag {numbers(unit.vraag)}" if unit.vraag else unit.label
        return ", ".join(x for x in (place, when, item) if x)
    return f"{meta.title or meta.doc}, {unit.label}"


def unit_refs(unit: Unit) -> tuple[str, ...]:
    """Display forms of the Kamerstuk and other references in the unit and its footnotes."""
    keys = list(unit.refs) + [k for f in unit.footnotes for k in f.refs]
    out = []
    for key in dict.fromkeys(keys):
        try:
            out.append(display(key))
        except ValueError:
            continue
    return tuple(out)
