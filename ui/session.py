"""Conversation handling: follow-up context and streaming an answer from a worker thread."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from typing import Any

from rag.types import Answer, Answerer, Filters

FOLLOW_UP_WORDS = 5  # a question this short leans on the previous one
FOLLOW_UP_START = re.compile(
    r"^(en|maar|ook|and|but|also|what about|hoe zit het|wat dan)\b|\b(daarover|about that)\b",
    re.IGNORECASE,
)


def with_context(question: str, history: list[dict[str, Any]]) -> str:
    """The question to retrieve with: a short or referring follow-up gets the previous
    user question in front of it; a self-contained question stands alone."""
    previous = [m["content"] for m in history if m.get("role") == "user"]
    if not previous:
        return question
    short = len(question.split()) <= FOLLOW_UP_WORDS
    if short or FOLLOW_UP_START.search(question):
        return f"{_text(previous[-1])} {question}"
    return question


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # gradio 6 message content parts
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def stream_answer(
    answerer: Answerer, question: str, k: int, mode: str, filters: Filters | None
) -> Iterator[tuple[str, Answer | None]]:
    """Yield (text so far, None) as verified text arrives, then (full text, the Answer)."""
    pieces: queue.Queue = queue.Queue()
    done: dict[str, Any] = {}

    def work() -> None:
        try:
            done["answer"] = answerer.ask(
                question, k=k, mode=mode, filters=filters, on_text=pieces.put
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user as one line
            done["error"] = exc
        finally:
            pieces.put(None)

    threading.Thread(target=work, daemon=True).start()
    text = ""
    while (piece := pieces.get()) is not None:
        text += piece
        yield text, None
    if "error" in done:
        raise done["error"]
    yield done["answer"].answer, done["answer"]
