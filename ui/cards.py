"""Source cards and answer markup as HTML. Every piece of document text is escaped: a
document holding <script> or onerror= renders as inert text."""

from __future__ import annotations

import html
import re

from rag.answering.address import long_date
from rag.types import Answer, Citation, DocMeta, Unit

MARKER = re.compile(r"\[(\d{1,2})\]")


def esc(text: str) -> str:
    """HTML-escaped text (quotes too)."""
    return html.escape(text, quote=True)


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


def card(citation: Citation, unit: Unit, meta: DocMeta) -> str:
    """One source card: address, question, answer with highlights, references, metadata."""
    quotes = citation.quote.split(" … ") if citation.quote else []
    body = ""
    if unit.question:
        body += f'<p class="q"><b>Vraag:</b> {highlight(unit.question, quotes)}</p>'
    if unit.answer:
        body += f'<p class="a"><b>Antwoord:</b> {highlight(unit.answer, quotes)}</p>'
    if not unit.question and not unit.answer:
        body += f'<p class="a">{highlight(unit.text, quotes)}</p>'
    refs = "".join(f"<li>{esc(r)}</li>" for r in citation.refs)
    date = long_date(meta.date or meta.date_sent)
    meta_line = " · ".join(x for x in (esc(meta.title), esc(date), people(meta)) if x)
    return (
        f'<div class="source-card" id="src-{citation.n}">'
        f'<div class="card-head"><span class="n">[{citation.n}]</span> '
        f'<span class="label">{esc(citation.label)}</span></div>'
        f'<div class="address">{esc(citation.address)}</div>{body}'
        + (f'<div class="refs">Verwijst naar:<ul>{refs}</ul></div>' if refs else "")
        + f'<div class="meta">{meta_line}</div></div>'
    )


def cards(answer: Answer, units: dict[str, Unit], docs: dict[str, DocMeta]) -> str:
    """All cards of an answer, or the visible 'not in the corpus' state for a refusal."""
    if answer.refused:
        return (
            '<div class="refusal" id="not-in-corpus"><b>Niet in het corpus.</b> '
            "Geen enkel document in de index beantwoordt deze vraag.</div>"
        )
    return "".join(card(c, units[c.unit_id], docs[c.doc]) for c in answer.citations)


def linked(text: str) -> str:
    """Answer text for the chat: markers [n] become links to the source cards."""
    return MARKER.sub(lambda m: f"[[{m.group(1)}]](#src-{m.group(1)})", text)


CSS = """
.source-card {border: 1px solid #ccc; border-radius: 6px; padding: 8px; margin-bottom: 8px}
.source-card .address {font-weight: 600; margin: 4px 0}
.source-card mark {background: #fff3a3}
.source-card .meta {color: #555; font-size: 0.85em}
.refusal {border: 2px solid #c0392b; border-radius: 6px; padding: 8px; color: #c0392b}
"""
