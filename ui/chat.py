"""One question through the page, without gradio: checked (dates, length) in Dutch, read with
an earlier question when the pipeline says it is a follow-up, and streamed as page states:
the sources and their cards as soon as they are known, then the verified text."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rag.analysis.query import MAX_QUESTION
from rag.answering.address import long_date
from rag.errors import RagError
from rag.types import Answer, DocMeta, Unit
from ui.names import describe_filters, doc_label, filters_nl, summary
from ui.render import Turn, conversation_html, new_turn
from ui.session import follow_up_context, previous_question, stream_events

# each answers well on the shipped corpus (checked with `rag ask --mode quote`)
EXAMPLES = (
    "Heeft het kabinet testkits van BGI gekocht?",
    "Is de Utrechtse delegatie in China gehackt?",
    "Houdt de overheid een lijst bij van Chinese producten gemaakt met dwangarbeid?",
    "Erkent het kabinet dat aanhangers van Falun Gong worden vervolgd?",
)


@dataclass(frozen=True)
class Step:
    """A state of the page while a question is answered; None means "leave as it is"."""

    chat: str
    turns: list[Turn] | None = None  # the conversation to store (once the answer is final)
    status: str = ""  # one line under the question box (errors in Dutch, waiting)
    busy: bool = True  # an answer is still coming
    taken: bool = False  # the question has moved into the conversation: clear the box


def cold_html(docs: dict[str, DocMeta], units: dict[str, Unit]) -> str:
    """The page before the first question: what the index holds and how answers look."""
    from ui.cards import esc

    s = summary(docs, units)
    kinds = ", ".join(f"{n} × {k}" for k, n in s["kinds"].items())
    when = (f" van {long_date(s['first'])} tot en met {long_date(s['last'])}"
            if s["first"] else "")  # fmt: skip
    shown = sorted(docs.values(), key=lambda m: (m.date or m.date_sent or "9999", m.doc))
    items = "".join(f"<li>{esc(doc_label(m))}</li>" for m in shown[:12])
    more = f"<li>en nog {len(shown) - 12} documenten</li>" if len(shown) > 12 else ""
    return (
        "<h3>Vragen over Nederlands overheidsbeleid, beantwoord met exacte bronnen</h3>"
        f'<p class="corpus-summary">De index bevat <b>{s["documents"]} documenten</b> '
        f"({s['units']} citeerbare delen){esc(when)}: {esc(kinds)}.</p>"
        f'<ul class="corpus-docs">{items}{more}</ul>'
        "<p>Elk antwoord begint met de letterlijke woorden van de overheid tussen «», met het "
        "adres om te citeren; [n] opent de bron. Staat het antwoord niet in deze documenten, "
        "dan zegt de pagina <b>Niet in het corpus</b>. Probeer een voorbeeldvraag hieronder.</p>"
    )


def check(question: str, start: str, end: str, docs: list, kinds: list) -> Any:
    """The filters of a question that may be asked; RagError in Dutch otherwise."""
    if not question:
        raise RagError("Typ eerst een vraag.")
    if len(question) > MAX_QUESTION:
        raise RagError(
            f"Uw vraag heeft {len(question)} tekens; houd hem onder {MAX_QUESTION} tekens."
        )
    return filters_nl(docs, kinds, start, end)


def respond(
    index: Any, answerer: Any, question: str, turns: list[Turn], mode: str, k: int,
    controls: tuple[list, list, str, str],
) -> Iterator[Step]:  # fmt: skip
    """Page states for one question (see the module docstring)."""
    docs, kinds, start, end = controls
    turns = copy.deepcopy(list(turns or []))
    units, metas = index.units, index.docs
    question = (question or "").strip()
    try:
        filters = check(question, start, end, docs, kinds)
    except RagError as exc:  # the question stays in the box to be fixed
        yield Step(conversation_html(turns, units, metas, cold_html(metas, units)), None,
                   str(exc), busy=False)  # fmt: skip
        return
    context = follow_up_context(answerer, question, previous_question(turns))
    turn = new_turn(question, context, describe_filters(filters, metas) if filters else "")
    turn["mode"] = mode
    turns.append(turn)
    yield Step(conversation_html(turns, units, metas), taken=True)
    try:
        for kind, value in stream_events(answerer, question, k, mode, filters, context):
            if kind == "sources":
                turn["citations"] = [c.to_dict() for c in value]
            elif kind == "text":
                turn["answer"] = value
            else:
                finish(turn, value)
            yield Step(conversation_html(turns, units, metas))
    except RagError as exc:
        turn.update(pending=False, error=f"Deze vraag kon niet worden beantwoord: {exc}")
    except Exception as exc:  # noqa: BLE001 - the page must never be left half
        turn.update(pending=False, error=f"Er ging iets mis ({type(exc).__name__}: {exc}).")
    turn["pending"] = False
    yield Step(conversation_html(turns, units, metas), turns, busy=False)


def finish(turn: Turn, answer: Answer) -> None:
    """The final answer into its turn."""
    turn.update(
        answer=answer.answer, refused=answer.refused, mode=answer.mode_used, pending=False,
        citations=[c.to_dict() for c in answer.citations],
        context=getattr(answer, "context", "") or turn.get("context", ""),
        index_hash=answer.index_hash, refusal=getattr(answer, "refusal", ""),
    )  # fmt: skip
