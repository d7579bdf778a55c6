"""Opening the answer side: the pipeline over a loaded index, and the model warmed up early."""

from __future__ import annotations

import threading

from rag.answering.corpus import Corpus
from rag.answering.llm import ModelCache
from rag.answering.pipeline import AnswerPipeline
from rag.answering.prompts import Prompts, chat_prefix
from rag.settings import Settings
from rag.types import Retriever


def warm_up(settings: Settings, models: ModelCache, prompts: Prompts) -> threading.Thread:
    """Load the model and restore the system prompt's KV cache in a background thread.

    A cold `rag ask` starts this before it loads the index, so the two overlap (llama.cpp
    works outside the GIL). A failure here is left for the answer path to raise again.
    """

    def run() -> None:
        try:
            llm = models.get(settings.generation)
            with llm.lock:
                llm.prime(chat_prefix(prompts.system, llm.chat_template()))
        except Exception:  # noqa: BLE001 - the answer path loads again and reports it
            pass

    thread = threading.Thread(target=run, name="rag-warm-up", daemon=True)
    thread.start()
    return thread


def build_answerer(
    settings: Settings,
    index,
    retriever: Retriever,
    models: ModelCache | None = None,  # noqa: ANN001
    prompts: Prompts | None = None,
) -> AnswerPipeline:
    """The answerer over a loaded index; the model loads lazily from models (or a new cache)."""
    cache = models or ModelCache()
    return AnswerPipeline(
        settings,
        index.docs,
        Corpus.of_index(index),
        retriever,
        lambda: cache.get(settings.generation),
        prompts or Prompts.load(),
        index.hash,
        index.lexical,
        getattr(retriever, "embedder", None),
    )
