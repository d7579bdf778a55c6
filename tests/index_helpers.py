"""Helpers for the index and retrieval tests: a deterministic stand-in embedder, an embedder
that fails on cue, and Vraag/Antwoord units cut by hand from seed text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from rag.analysis.terms import Analyzer
from rag.types import DocMeta, Document, Unit

_ANALYZER = Analyzer()


class HashEmbedder:
    """Bag of stemmed words hashed into `dim` buckets, L2-normalised: deterministic, fast,
    and similar texts get similar vectors (so dense results are meaningful, not random)."""

    def __init__(self, name: str = "test:hash-64", dim: int = 64) -> None:
        self.name, self.dim = name, dim
        self.calls = 0
        self.seen: list[str] = []

    @property
    def texts(self) -> int:
        return len(self.seen)

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        self.calls += 1
        self.seen += texts
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in _ANALYZER.tokens(text):
                h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big")
                out[i, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
            out[i] /= np.linalg.norm(out[i]) or 1.0
        return out


class FailingEmbedder(HashEmbedder):
    """A HashEmbedder that raises on its n-th call: an interrupted build."""

    def __init__(self, fail_on_call: int, **kw) -> None:
        super().__init__(**kw)
        self.fail_on_call = fail_on_call

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        if self.calls + 1 >= self.fail_on_call:
            self.calls += 1
            raise RuntimeError("injected failure in the embedder")
        return super().embed(texts, kind)


def hand_units(path: Path) -> Document:
    """Units cut from a seed with `Vraag N` / `Antwoord` lines, else one per paragraph.

    A stand-in for the real parser in tests of the index machinery, not a parser."""
    doc = path.stem
    text = path.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=Vraag \d+\s*\n)", text)
    units = []
    if len(blocks) > 2:
        for block in blocks[1:]:
            m = re.match(r"Vraag (\d+)\s*\n(.*)", block, re.S)
            n, body = int(m.group(1)), m.group(2).strip()
            question, _, answer = body.partition("\nAntwoord")
            units.append(
                Unit(doc, f"{doc}#v{n}", "qa" if answer else "question", (n,), f"Vraag {n}",
                     question=question.strip(), answer=answer.strip(), text=body, order=len(units))
            )  # fmt: skip
    else:
        paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        units = [
            Unit(doc, f"{doc}#p{i}", "paragraph", None, f"alinea {i}", text=p, order=i - 1)
            for i, p in enumerate(paras, start=1)
        ]
    meta = DocMeta(doc=doc, kind="answers" if len(blocks) > 2 else "letter", title=doc)
    return Document(meta=meta, units=tuple(units))


def copy_index(source: Path, target: Path) -> Path:
    """A private copy of an index folder (the folder is self-contained and movable)."""
    import shutil

    shutil.copytree(source, target)
    return target
