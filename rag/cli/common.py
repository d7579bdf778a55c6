"""Helpers shared by command modules: settings from --settings and common flags."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rag.settings import Settings


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings object for this invocation: file, then --index."""
    settings = Settings.load(getattr(args, "settings", None))
    if getattr(args, "index", None):
        settings = settings.override("index", dir=args.index)
    return settings


def add_index_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", metavar="DIR", help="index folder (default: ./index)")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")


def print_json(obj: Any) -> None:
    """One JSON object on one line on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
