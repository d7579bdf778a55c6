"""The model's token stream turned into complete sentences, and the answer text emitted piece
by piece as it becomes final (with the time of the first text and the first token)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from rag.analysis.sentences import split_sentences
from rag.answering.verify import Sentence, parse_sentence

NOT_FOUND = "NIET GEVONDEN"  # what the prompt tells the model to write when sources lack it
OnText = Callable[[str], None]


class Emitter:
    """Collects the final answer text and passes each verified piece on as it comes."""

    def __init__(self, on_text: OnText | None, start: float, timings: dict) -> None:
        self.on_text, self.start, self.timings = on_text, start, timings
        self.text = ""

    def __call__(self, piece: str, sep: str = "") -> None:
        chunk = sep + piece
        if not self.text:
            self.timings["first_text"] = time.perf_counter() - self.start
        self.text += chunk
        if self.on_text:
            self.on_text(chunk)


def timed(tokens: Iterator, emit: Emitter) -> Iterator:
    """The tokens, noting when the model's first one came (timings["first_token"])."""
    for token in tokens:
        emit.timings.setdefault("first_token", time.perf_counter() - emit.start)
        yield token


def sentences(tokens: Iterator) -> Iterator[Sentence]:
    """Complete sentences (with their markers) from a token stream; stops at NIET GEVONDEN."""
    buffer = ""
    for token in tokens:
        buffer += token.text
        if NOT_FOUND in buffer:
            return
        parts = split_sentences(buffer)
        # complete once other text follows (a following "[" may still be its marker)
        if len(parts) > 1 and not parts[-1].startswith("["):
            yield from (parse_sentence(p) for p in parts[:-1])
            buffer = buffer[buffer.rfind(parts[-1]) :]  # keeps the space a token may end in
    if buffer.strip():
        yield parse_sentence(buffer)
