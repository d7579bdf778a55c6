"""`rag ask QUESTION`: a verified, cited answer, streamed as it becomes final."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

from rag.cli.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.cli.search import filters_from
from rag.types import Answer


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `ask`."""
    parser = subparsers.add_parser("ask", help="answer a question with verified citations")
    parser.add_argument("question", help="the question, in Dutch or English")
    parser.add_argument(
        "--mode", choices=("generate", "quote"), help="generate (default) or quote (no LLM)"
    )
    parser.add_argument("--model", metavar="GGUF", help="a .gguf file, or smollm2 / gemma3")
    parser.add_argument("-k", type=int, help="number of sources to retrieve (default 5)")
    parser.add_argument("--doc", nargs="+", action="extend", default=[], help="only these docs")
    parser.add_argument("--kind", nargs="+", action="extend", default=[], help="document kinds")
    parser.add_argument(
        "--from", dest="date_from", metavar="DATE", help="from date (YYYY[-MM[-DD]] or DD-MM-YYYY)"
    )
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="to date (end of that period)")
    add_index_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Answer one question; human output streams, --json prints one object at the end."""
    from rag.analysis.query import checked
    from rag.answering.llm import ModelCache
    from rag.answering.open import warm_up
    from rag.answering.prompts import Prompts
    from rag.answering.side import open_query_side

    settings = settings_from(args)
    settings = settings.override("generation", model=args.model)
    mode = args.mode or settings.answer.mode
    k = args.k if args.k is not None else settings.retrieval.k
    question = checked(args.question, mode, k)  # bad input fails before anything loads
    filters = filters_from(args)
    models, prompts = ModelCache(), Prompts.load()
    out = _Output()
    if mode == "generate":
        from rag.answering.llm import resolve_model

        resolve_model(settings.generation.model)  # a bad --model fails before the index loads
        out.warm = warm_up(settings, models, prompts)  # the model loads while the index does
    try:
        side = open_query_side(settings, settings.retrieval.mode, models=models, prompts=prompts)
        answerer = side.answerer
        stream = None if args.json else out.write
        asked_at = time.time()  # epoch: `rag bench` places the timings on its own clock
        answer = answerer.ask(question, k=k, mode=mode, filters=filters, on_text=stream)
    finally:
        out.settle()  # an error message must not go to llama.cpp's /dev/null either
    if args.json:
        print_json({**answer.to_dict(), "asked_at": round(asked_at, 4)})
    else:
        out.write("\n\n" + sources_text(answer) + "\n")
    return 0


class _Output:
    """The answer stream on stdout, safe from a model loading in another thread.

    llama-cpp-python points stdout and stderr at /dev/null while it loads a model (file
    descriptors and sys.stdout both); text written meanwhile would be lost. Answer text goes
    to a duplicate of the stdout descriptor taken before the load starts; where stdout has
    no descriptor (captured in tests), writing waits for the load to finish instead.
    """

    def __init__(self) -> None:
        self.warm: threading.Thread | None = None
        try:
            fd = os.dup(sys.stdout.fileno())
        except (AttributeError, OSError, ValueError):
            self.stream = None
        else:
            self.stream = open(fd, "w", encoding=sys.stdout.encoding or "utf-8", closefd=True)  # noqa: SIM115

    def write(self, text: str) -> None:
        """Write and flush text at once."""
        if self.stream is None:
            self.settle()
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            self.stream.write(text)
            self.stream.flush()

    def settle(self) -> None:
        """Wait for the model load (if any), after which stdout and stderr are back."""
        if self.warm is not None:
            self.warm.join()


def sources_text(answer: Answer) -> str:
    """The numbered source list under a human answer."""
    if not answer.citations:
        return "(geen bron)" if answer.lang == "nl" else "(no source)"
    lines = ["Bronnen:" if answer.lang == "nl" else "Sources:"]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.address} — {c.label}")
        if c.refs:
            lines.append(f"    verwijst naar: {'; '.join(c.refs)}")
    return "\n".join(lines)
