"""Vectors a build has embedded so far, saved batch by batch in `<index>/.partial/`, so a
build that is interrupted (killed, out of disk, Ctrl-C) resumes where it stopped instead of
embedding everything again. Written before the build commits; removed once it has.

Each batch is two plain files, `<embedder>-<n>.json` (the texts) and `<embedder>-<n>.npy`
(their vectors); the .npy is written last, under a temporary name and renamed, so a batch
is either whole or ignored. Only batches of the same embedder are read back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from rag.index.format import PARTIAL


class Checkpoint:
    """The partial vectors of one index folder and one embedder."""

    def __init__(self, folder: Path, embedder: str) -> None:
        self.dir = Path(folder) / PARTIAL
        self.key = hashlib.sha256(embedder.encode("utf-8")).hexdigest()[:12]
        self.count = len(self._batches())

    def _batches(self) -> list[Path]:
        if not self.dir.is_dir():
            return []
        return sorted(self.dir.glob(f"{self.key}-*.npy"))

    def load(self) -> dict[str, np.ndarray]:
        """Text -> vector of every whole batch saved by earlier, unfinished builds."""
        known: dict[str, np.ndarray] = {}
        for npy in self._batches():
            try:
                texts = json.loads(npy.with_suffix(".json").read_text(encoding="utf-8"))
                vectors = np.load(npy, allow_pickle=False)
            except (OSError, ValueError):
                continue  # a damaged batch is embedded again
            if len(texts) == len(vectors):
                known.update(zip(texts, vectors, strict=True))
        return known

    def save(self, texts: list[str], vectors: np.ndarray) -> None:
        """Keep one embedded batch; a failure to write only costs the resume."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            base = self.dir / f"{self.key}-{self.count:06d}"
            base.with_suffix(".json").write_text(json.dumps(texts), encoding="utf-8")
            tmp = self.dir / f".{base.name}.tmp.npy"
            np.save(tmp, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
            os.replace(tmp, base.with_suffix(".npy"))
            self.count += 1
        except OSError:
            pass

    def clear(self) -> None:
        """Remove the partial vectors (the build that needed them has committed)."""
        shutil.rmtree(self.dir, ignore_errors=True)
