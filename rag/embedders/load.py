"""Choosing and opening an embedder by name: the bundled e5 (default), bundled MiniLM, or
any local sentence-transformers folder. Names are known without loading a model, so an
up-to-date build or a BM25-only search never loads one."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag.embedders.base import Embedder, Kind
from rag.embedders.e5 import NAME as E5_NAME
from rag.embedders.e5 import e5_version
from rag.embedders.st import MINILM_NAME, bundled_model_dir, model_name, resolve_model_dir
from rag.errors import RagError
from rag.settings import EmbedderSettings

# what --embedder (settings embedder.model) accepts besides a folder
ALIASES = {
    "": E5_NAME,
    "e5": E5_NAME,
    "multilingual-e5-small": E5_NAME,
    E5_NAME: E5_NAME,
    "minilm": MINILM_NAME,
    "all-MiniLM-L6-v2": MINILM_NAME,
    MINILM_NAME: MINILM_NAME,
}


def embedder_name(settings: EmbedderSettings) -> str:
    """The manifest name of the embedder the settings choose (a folder is checked)."""
    if settings.model in ALIASES:
        return ALIASES[settings.model]
    if not Path(settings.model).expanduser().is_dir():
        names = ", ".join(sorted(k for k in ALIASES if k and ":" not in k))
        raise RagError(
            f"embedder {settings.model!r} is neither a local folder nor a bundled model; pass "
            f"a sentence-transformers folder or one of {names}"
        )
    return model_name(resolve_model_dir(settings))


def settings_for_name(name: str, settings: EmbedderSettings) -> EmbedderSettings:
    """Settings that open the embedder a manifest names (prefixes kept from settings)."""
    if name == E5_NAME:
        return replace(settings, model="")
    if name == MINILM_NAME:
        return replace(settings, model=str(bundled_model_dir()))
    return replace(settings, model=name)


def open_embedder(settings: EmbedderSettings, role: Kind = "passage") -> Embedder:
    """Load the embedder. For queries a folder runs on the torch-free numpy encoder when
    it can (same vectors, loads fast); building uses sentence-transformers."""
    name = embedder_name(settings)
    if name == E5_NAME:
        from rag.embedders.e5 import E5Embedder

        return E5Embedder(settings.threads)
    folder = settings_for_name(name, settings) if name == MINILM_NAME else settings
    if role == "query":
        from rag.embedders.numpy_bert import load_query_encoder

        return load_query_encoder(folder)
    from rag.embedders.st import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(folder)


class LazyEmbedder:
    """An embedder that loads on first use: an up-to-date build never loads a model."""

    def __init__(self, settings: EmbedderSettings, role: Kind = "passage") -> None:
        self.settings, self.role = settings, role
        self.name = embedder_name(settings)
        self._model: Embedder | None = None

    def load(self) -> Embedder:
        """The embedder, loaded now if it was not yet."""
        if self._model is None:
            print(f"loading embedder {self.name}", file=sys.stderr)
            self._model = open_embedder(self.settings, self.role)
        return self._model

    @property
    def dim(self) -> int:
        """Vector dimension (loads the model)."""
        return self.load().dim

    @property
    def version(self) -> str:
        """The bundled e5 package's version (read without loading the model), else ""."""
        return e5_version() if self.name == E5_NAME else ""

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Embed with the loaded model."""
        return self.load().embed(texts, kind)
