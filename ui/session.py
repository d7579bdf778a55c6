"""Conversation handling: which earlier question a follow-up is read with (decided by the
pipeline on evidence), and an answer streamed from a worker thread as events: the sources
as soon as they are known, then the text as it is verified, then the Answer."""

from __future__ import annotations

import inspect
import queue
import threading
from collections.abc import Iterator
from typing import Any

from rag.types import Answer, Filters


def previous_question(turns: list[dict[str, Any]]) -> str:
    """The last question that got an answer (errors and unfinished turns do not count)."""
    for turn in reversed(turns):
        if not turn.get("error") and not turn.get("pending"):
            return str(turn.get("question", ""))
    return ""


def follow_up_context(answerer: Any, question: str, previous: str) -> str:
    """previous when the pipeline judges the question a follow-up of it, else ""."""
    decide = getattr(answerer, "follow_up_context", None)
    if not previous or decide is None:
        return ""
    return decide(question, previous)


def _accepts(fn: Any, name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def stream_events(
    answerer: Any,
    question: str,
    k: int,
    mode: str,
    filters: Filters | None,
    context: str = "",
) -> Iterator[tuple[str, Any]]:
    """Yield ("sources", citations), ("text", text so far) as they come, then
    ("answer", Answer); an exception in the pipeline is raised here."""
    events: queue.Queue = queue.Queue()
    done: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if _accepts(answerer.ask, "on_sources"):
        extra["on_sources"] = lambda cites: events.put(("sources", tuple(cites)))
    if context and _accepts(answerer.ask, "context"):
        extra["context"] = context

    def work() -> None:
        try:
            done["answer"] = answerer.ask(
                question, k=k, mode=mode, filters=filters,
                on_text=lambda piece: events.put(("piece", piece)), **extra,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - shown to the user as one line
            done["error"] = exc
        finally:
            events.put(None)

    threading.Thread(target=work, daemon=True).start()
    text = ""
    while (event := events.get()) is not None:
        kind, value = event
        if kind == "piece":
            text += value
            yield "text", text
        else:
            yield kind, value
    if "error" in done:
        raise done["error"]
    answer: Answer = done["answer"]
    yield "answer", answer
