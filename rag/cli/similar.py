"""`rag similar (QUESTION | --file F)`: has this question been asked before?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rag.cli.common import print_json
from rag.cli.search import MODES, add_common_flags, query_settings
from rag.errors import RagError


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `similar`."""
    parser = subparsers.add_parser(
        "similar", help="earlier questions in the corpus that ask the same thing"
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("question", nargs="?", help="the new question")
    what.add_argument("--file", metavar="F", help="read the question from a text file")
    parser.add_argument("-k", type=int, help="number of questions (default 5)")
    parser.add_argument("--mode", choices=MODES, help="hybrid (default), bm25 or dense")
    add_common_flags(parser)
    parser.set_defaults(func=run)


def read_question(args: argparse.Namespace) -> str:
    """The question from the argument or the file, not empty."""
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            raise RagError(f"question file {path} not found; pass an existing text file")
        text = path.read_text(encoding="utf-8")
    else:
        text = args.question or ""
    if not text.strip():
        raise RagError("the question is empty; pass a question or a file that holds one")
    return text.strip()


def run(args: argparse.Namespace) -> int:
    """List earlier questions like this one, each by the address to cite (--json keeps the
    document key and unit id too)."""
    from rag.answering.side import open_query_side
    from rag.retrieval.similar import QuestionFinder

    question = read_question(args)
    settings = query_settings(args)
    mode = settings.retrieval.mode
    side = open_query_side(settings, mode=mode)
    index = side.index
    finder = QuestionFinder(index, side.embedder, settings.retrieval)
    found = finder.find(question, k=settings.retrieval.k, mode=mode)
    for asked in found:
        where = side.answerer.address(asked.unit)
        if args.json:
            print_json({**asked.to_dict(), "address": where, "index_hash": index.hash})
            continue
        u = asked.unit
        cosine = f", cosine {asked.scores['dense']:.2f}" if "dense" in asked.scores else ""
        print(f"{asked.rank:>2}. {where}  [{asked.score:.4f}{cosine}]")
        print(f"    {' '.join(u.question.split())[:240]}")
    if not found:
        print("no earlier questions found", file=sys.stderr)
    return 0
