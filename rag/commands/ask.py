"""`rag ask QUESTION`: a verified, cited answer, streamed as it becomes final."""
# NOTE FOR THE ANSWER ENGINEER (helper): the lead wrote this first working version while
# your session was starting. Build on it (improve, test, calibrate); do not start over.
# llama.cpp segfaults here in its AMX matmul unless extra buffer types are off: see
# rag/llm.py load_llama (GenerationSettings.extra_buffers). Remove this note when done.

from __future__ import annotations

import argparse
import sys

from rag.commands.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.commands.search import filters_from
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
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="from date (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="to date (YYYY-MM-DD)")
    add_index_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Answer one question; human output streams, --json prints one object at the end."""
    from rag.answer import _check, build_answerer
    from rag.retrieve import open_retriever

    settings = settings_from(args)
    settings = settings.override("generation", model=args.model)
    mode = args.mode or settings.answer.mode
    k = args.k if args.k is not None else settings.retrieval.k
    question = _check(args.question, mode, k)  # bad input fails before anything loads
    filters = filters_from(args)
    if mode == "generate":
        from rag.llm import resolve_model

        resolve_model(settings.generation.model)  # a bad --model fails before the index loads
    retriever = open_retriever(settings, settings.retrieval.mode)
    answerer = build_answerer(settings, retriever.index, retriever)
    stream = None if args.json else _write
    answer = answerer.ask(question, k=k, mode=mode, filters=filters, on_text=stream)
    if args.json:
        print_json(answer.to_dict())
    else:
        print("\n\n" + sources_text(answer))
    return 0


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


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
