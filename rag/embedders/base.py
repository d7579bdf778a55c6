"""The embedder interface: texts in, L2-normalised float32 vectors out, per role."""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np

Kind = Literal["query", "passage"]


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    name: str  # identifies the model in the index manifest
    dim: int

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised."""
        ...
