"""The conversation as the page shows it and as users take it away.

A turn is a plain JSON dict (it lives in the browser's localStorage and goes into the JSON
download): question, context (the earlier question it was read with), answer text with [n]
markers, refused, mode, citations (Citation.to_dict()), filters (in words), error, and
pending while the answer is still coming. Everything from a turn is escaped on the page.
"""

from __future__ import annotations

import json
from typing import Any

from rag.types import DocMeta, Unit
from ui.cards import cards, esc, linked

Turn = dict[str, Any]
COLD = "cold"


def new_turn(question: str, context: str = "", filters: str = "") -> Turn:
    """A turn that has just been asked."""
    return {
        "question": question, "context": context, "answer": "", "refused": False, "mode": "",
        "citations": [], "filters": filters, "error": "", "pending": True,
    }  # fmt: skip


def refusal_note(turn: Turn) -> str:
    """Why the corpus may not answer: the active filters, when there are any; documents on
    the topic that give no amount of what was asked."""
    if not turn.get("filters"):
        if turn.get("refusal") == "no_amount":
            return "De documenten over dit onderwerp noemen het gevraagde bedrag of aantal niet."
        return "Geen enkel document in de index beantwoordt deze vraag."
    if "filter" in turn.get("answer", ""):  # the pipeline said so already: name the filters
        return f"Actief filter: {turn['filters']}."
    return (
        f"Er staat een filter aan ({turn['filters']}); misschien sluit dat filter de bron uit. "
        "Stel de vraag nog eens zonder filter."
    )


def turn_html(t: int, turn: Turn, units: dict[str, Unit], docs: dict[str, DocMeta]) -> str:
    """One question with its answer, its take-away buttons and its own source cards."""
    head = f'<div class="user-q"><span class="who">Vraag</span> {esc(turn["question"])}</div>'
    if turn.get("context"):
        head += f'<div class="context-note">gelezen samen met: «{esc(turn["context"])}»</div>'
    numbers = {int(c["n"]) for c in turn.get("citations") or ()}
    if turn.get("error"):
        body = f'<div class="answer error">{esc(turn["error"])}</div>'
    elif turn.get("refused"):
        body = (f'<div class="answer not-in-corpus"><b>Niet in het corpus.</b> '
                f"{linked(turn['answer'], t, numbers)}<div class=\"why\">{esc(refusal_note(turn))}"
                "</div></div>")  # fmt: skip
    else:
        text = turn["answer"] or ("…" if turn.get("pending") else "")
        writing = turn.get("pending") and turn.get("mode") == "generate"
        waiting = '<div class="model-note">Het model schrijft nog…</div>' if writing else ""
        body = f'<div class="answer">{linked(text, t, numbers)}{waiting}</div>'
    tools = ""
    if not turn.get("pending") and not turn.get("error"):
        tools = (
            f'<div class="turn-tools"><button type="button" class="copy" data-copy="text" '
            f'data-turn="{t}">Kopieer als tekst</button><button type="button" class="copy" '
            f'data-copy="md" data-turn="{t}">Kopieer als Markdown</button></div>'
            f'<pre class="copy-src" id="copy-text-{t}" hidden>{esc(answer_text(turn))}</pre>'
            f'<pre class="copy-src" id="copy-md-{t}" hidden>{esc(answer_markdown(turn))}</pre>'
        )
    sources = cards(turn.get("citations") or [], units, docs, t)
    if sources:
        sources = f'<div class="sources" id="sources-{t}">{sources}</div>'
    return f'<div class="turn" id="turn-{t}">{head}{body}{tools}{sources}</div>'


def conversation_html(
    turns: list[Turn], units: dict[str, Unit], docs: dict[str, DocMeta], cold: str = ""
) -> str:
    """The whole conversation, or the cold page's introduction when there is none yet."""
    if not turns:
        return f'<div class="{COLD}" id="cold">{cold}</div>'
    return "".join(turn_html(t, turn, units, docs) for t, turn in enumerate(turns, start=1))


def _sources_text(turn: Turn, markdown: bool) -> list[str]:
    lines = []
    for c in turn.get("citations") or ():
        refs = "; ".join(c.get("refs") or ())
        if markdown:
            lines.append(f"{c['n']}. **[{c['n']}] {c['address']}** ({c['label']})")
            if refs:
                lines.append(f"   Verwijst naar: {refs}")
            if c.get("quote"):
                lines.append(f"   > {c['quote']}")
        else:
            lines.append(f"[{c['n']}] {c['address']} ({c['label']})")
            if refs:
                lines.append(f"    Verwijst naar: {refs}")
    return lines


def answer_text(turn: Turn) -> str:
    """The answer as plain text: the answer with its [n] markers, then each source's full
    address and references."""
    out = [turn["answer"].strip()]
    if turn.get("refused"):
        out.append(refusal_note(turn))
    sources = _sources_text(turn, markdown=False)
    if sources:
        out += ["", "Bronnen:", *sources]
    return "\n".join(out).strip() + "\n"


def answer_markdown(turn: Turn) -> str:
    """The answer as Markdown: the question, the answer, the sources with addresses, the
    references and the quoted sentences."""
    out = [f"**Vraag:** {turn['question'].strip()}"]
    if turn.get("context"):
        out.append(f"*gelezen samen met: {turn['context'].strip()}*")
    out += ["", turn["answer"].strip()]
    if turn.get("refused"):
        out += ["", refusal_note(turn)]
    sources = _sources_text(turn, markdown=True)
    if sources:
        out += ["", "**Bronnen**", "", *sources]
    return "\n".join(out).strip() + "\n"


def conversation_markdown(turns: list[Turn]) -> str:
    """The whole conversation as one Markdown document."""
    done = [t for t in turns if not t.get("pending") and not t.get("error")]
    parts = ["# Gesprek met rag (Kamerstukken met bronnen)", ""]
    for i, turn in enumerate(done, start=1):
        parts += [f"## {i}. {turn['question'].strip()}", "", answer_markdown(turn)]
    return "\n".join(parts)


def conversation_json(turns: list[Turn], index_hash: str = "") -> str:
    """The whole conversation as JSON, with the citation objects."""
    done = [t for t in turns if not t.get("pending")]
    return json.dumps({"index_hash": index_hash, "turns": done}, ensure_ascii=False, indent=2)
