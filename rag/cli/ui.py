"""`rag ui`: the Gradio chat page on 127.0.0.1 (no share link unless --share)."""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path
from typing import Any

from rag.cli.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.settings import Settings


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `ui`."""
    parser = subparsers.add_parser("ui", help="the chat page in the browser")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--share", action="store_true", help="ask Gradio for a public link")
    add_index_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(func=run)


def make_service(settings: Settings, models: Any = None, build_embedder: Any = None) -> Any:
    """The page's service: index, answerer (one model for all sessions) and uploads.

    build_embedder embeds the uploads (default: the configured one; tests pass a stand-in)."""
    from rag.answering.llm import ModelCache
    from rag.answering.side import open_query_side
    from ui.app import Service

    models = models or ModelCache()
    embedder: dict[str, Any] = {}

    def open_index() -> tuple[Any, Any]:
        side = open_query_side(
            settings, settings.retrieval.mode, embedder.get("query"), models=models
        )
        embedder["query"] = side.embedder
        return side.index, side.answerer

    def build(extra: list, progress: Any) -> object:
        from rag.embedders.load import LazyEmbedder
        from rag.index.build import build_index

        # adds to everything the index knows (its inputs, earlier uploads); one at a time
        passages = build_embedder or LazyEmbedder(settings.embedder)
        return build_index(list(extra), settings, passages, progress=progress)

    return Service(settings, open_index, build)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from rag.answering.llm import ModelCache
    from rag.errors import RagError
    from ui.app import build_app, launch

    if not 0 < args.port < 65536:
        raise RagError(f"--port {args.port} is not a port number; use 1-65535")
    settings = settings_from(args)
    models, warm = ModelCache(), None
    if settings.answer.mode == "generate":  # the model loads while gradio does
        from rag.answering.open import warm_up
        from rag.answering.prompts import Prompts

        warm = warm_up(settings, models, Prompts.load())
    app = build_app(make_service(settings, models))
    try:
        launch(app, args.host, args.port, args.share)
    except OSError as exc:
        raise RagError(f"cannot listen on {args.host}:{args.port} ({exc}); pick --port") from exc
    finally:
        if warm is not None:
            warm.join()  # llama.cpp silences stdout while it loads; the URL must get out
    url = f"http://{args.host}:{args.port}/"
    if args.json:
        print_json({"url": url, "index": str(Path(settings.index.dir).resolve())})
    else:
        print(f"rag ui: {url} (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        app.close()
    return 0
