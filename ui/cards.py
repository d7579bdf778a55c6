"""Source cards as HTML. Every piece of document text is escaped and nothing from a document
becomes markup: a document holding <script>, onerror=, ![img](http://...) or [link](...)
renders as inert text. Card ids carry the turn, so each answer's [n] opens its own card."""

from __future__ import annotations

import html
import re
from typing import Any

from rag.types import DocMeta, Unit
from ui.names import doc_label, kind_nl

MARKER = re.compile(r"\[(\d{1,2})\]")


def esc(text: str) -> str:
    """HTML-escaped text (quotes too)."""
    return html.escape(text or "", quote=True)


def highlight(text: str, quotes: list[str]) -> str:
    """Escaped text with the quoted sentences wrapped in <mark>."""
    out = esc(text)
    for quote in sorted({q for q in quotes if q}, key=len, reverse=True):
        for part in quote.split(" … "):
            safe = esc(part.strip())
            if safe and safe in out:
                out = out.replace(safe, f"<mark>{safe}</mark>", 1)
    return out


def people(meta: DocMeta) -> str:
    """Members and ministers as one escaped line."""
    asked = ", ".join(p.name + (f" ({p.party})" if p.party else "") for p in meta.members)
    answered = ", ".join(p.name + (f", {p.role}" if p.role else "") for p in meta.ministers)
    parts = []
    if asked:
        parts.append(f"gesteld door {asked}")
    if answered:
        parts.append(f"beantwoord door {answered}")
    return esc("; ".join(parts))


def unit_body(unit: Unit, quotes: list[str]) -> str:
    """The unit's question and answer (or its text), escaped, quoted sentences marked."""
    body = ""
    if unit.question:
        body += f'<p class="q"><b>Vraag:</b> {highlight(unit.question, quotes)}</p>'
    if unit.answer:
        body += f'<p class="a"><b>Antwoord:</b> {highlight(unit.answer, quotes)}</p>'
    if not unit.question and not unit.answer:
        body += f'<p class="a">{highlight(unit.text, quotes)}</p>'
    return body


def card(cite: dict[str, Any], unit: Unit | None, meta: DocMeta | None, turn: int) -> str:
    """One source card: address, question, answer with highlights, references, metadata and
    a button that opens the whole document at this unit."""
    n = int(cite["n"])
    quotes = cite["quote"].split(" … ") if cite.get("quote") else []
    if unit is not None:
        body = unit_body(unit, quotes)
    else:  # the unit left the index since this answer was given
        body = f'<p class="a"><mark>{esc(cite.get("quote", ""))}</mark></p>'
    refs = "".join(f"<li>{esc(r)}</li>" for r in cite.get("refs") or ())
    meta_line = ""
    if meta is not None:
        parts = (esc(kind_nl(meta.kind)), esc(doc_label(meta)), people(meta))
        meta_line = " · ".join(dict.fromkeys(x for x in parts if x))
    whole = (
        f'<button type="button" class="whole-doc" data-turn="{turn}" data-n="{n}">'
        "Hele document</button>"
        if unit is not None
        else ""
    )
    return (
        f'<div class="source-card" id="src-{turn}-{n}" data-n="{n}">'
        f'<div class="card-head"><span class="n">[{n}]</span> '
        f'<span class="label">{esc(cite.get("label", ""))}</span></div>'
        f'<div class="address">{esc(cite.get("address", ""))}</div>{body}'
        + (f'<div class="refs">Verwijst naar:<ul>{refs}</ul></div>' if refs else "")
        + f'<div class="meta">{meta_line}</div>{whole}</div>'
    )


def cards(
    citations: list[dict[str, Any]], units: dict[str, Unit], docs: dict[str, DocMeta], turn: int
) -> str:
    """All cards of one answer, in citation order."""
    return "".join(card(c, units.get(c["unit_id"]), docs.get(c["doc"]), turn) for c in citations)


def linked(text: str, turn: int, numbers: set[int]) -> str:
    """Escaped answer text for the page: each [n] of a source of this answer links to this
    answer's own card n (a "[7]" inside quoted document text stays text)."""

    def link(m: re.Match) -> str:
        n = m.group(1)
        if int(n) not in numbers:
            return m.group(0)
        return f'<a class="cite" href="#src-{turn}-{n}" data-turn="{turn}" data-n="{n}">[{n}]</a>'

    return MARKER.sub(link, esc(text).replace("\n", "<br>"))
