"""Command-line entry point: `rag COMMAND ...`.

Each command lives in ``rag/cli/<name>.py`` with ``add(subparsers)`` and
``run(args) -> int``. Command modules import nothing heavy at module level, so
``rag --help`` and the query path stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import NoReturn

from rag.errors import RagError

COMMANDS = ["parse", "index", "search", "similar", "ask", "eval", "ui", "bench"]


class OneLineParser(argparse.ArgumentParser):
    """argparse with its errors on one line that names the help to read."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}; see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="rag",
        description="Answers questions about Dutch government policy from parliamentary "
        "documents, with exact citations. Offline.",
    )
    parser.add_argument("--settings", help="TOML settings file (default: built-in defaults)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"rag.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"rag.cli.{name}":
                raise
            continue  # command not built yet
        module.add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the command, turn RagError into a one-line message."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except RagError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        print(f"rag: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug: one line for users, traceback on request
        if os.environ.get("RAG_DEBUG"):
            raise
        print(
            f"rag: internal error: {type(exc).__name__}: {exc}; please report it "
            "(RAG_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
