"""The whole parsed document, opened at a cited unit with the quoted sentences highlighted.
Everything in it is escaped document text."""

from __future__ import annotations

from typing import Any

from rag.types import DocMeta, Unit
from ui.cards import esc, people, unit_body
from ui.names import doc_label, kind_nl


def request_of(value: str, turns: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The citation a "Hele document" button asks for ("turn|n"), None when there is none."""
    try:
        t, n = (int(x) for x in (value or "").split("|"))
        return next(c for c in turns[t - 1]["citations"] if int(c["n"]) == n)
    except (ValueError, IndexError, KeyError, StopIteration, TypeError):
        return None


def document_html(cite: dict[str, Any] | None, units: dict[str, Unit],
                  docs: dict[str, DocMeta]) -> str:  # fmt: skip
    """The document of a citation, every unit in order, the cited one marked and in view."""
    if cite is None or cite.get("doc") not in docs:
        return '<div class="docview-empty">Dit document staat niet (meer) in de index.</div>'
    meta = docs[cite["doc"]]
    quotes = cite["quote"].split(" … ") if cite.get("quote") else []
    own = sorted((u for u in units.values() if u.doc == meta.doc), key=lambda u: u.order)
    parts = []
    for unit in own:
        cited = unit.unit_id == cite["unit_id"]
        body = unit_body(unit, quotes if cited else [])
        notes = "".join(f"<li>{esc(f.text)}</li>" for f in unit.footnotes)
        parts.append(
            f'<section class="unit{" cited" if cited else ""}"'
            + (' id="docview-cited"' if cited else "")
            + f"><h4>{esc(unit.label)}</h4>{body}"
            + (f'<ul class="notes">{notes}</ul>' if notes else "")
            + "</section>"
        )
    head = (
        f'<div class="docview-head"><b>{esc(doc_label(meta))}</b><br>'
        f"{esc(kind_nl(meta.kind))} · {len(own)} delen · {people(meta)}<br>"
        f'Geopend bij: <span class="address">{esc(cite.get("address", ""))}</span></div>'
    )
    return f'<div class="docview" data-doc="{esc(meta.doc)}">{head}{"".join(parts)}</div>'
