"""A torch-free query encoder: the same BERT sentence-transformers model in numpy.

`import sentence_transformers` takes ~11 s here; this loads the folder's tokenizer.json with
`tokenizers` and its model.safetensors with `safetensors.numpy`, and runs the BERT encoder
(embeddings, self-attention, erf-GELU feed-forward, post-layer-norm) and the folder's pooling
and normalisation in float32 numpy. tests/test_fastembed.py checks that its vectors equal
sentence-transformers' to within 1e-4 cosine. Index building keeps sentence-transformers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.embed import Embedder, Kind, model_name, resolve_model_dir
from rag.errors import RagError
from rag.settings import EmbedderSettings

# Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, scipy costs an import
_P, _A = 0.3275911, (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + _P * a)
    poly = t * (_A[0] + t * (_A[1] + t * (_A[2] + t * (_A[3] + t * _A[4]))))
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x: np.ndarray) -> np.ndarray:
    """HF BERT's exact (erf) GELU."""
    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


@dataclass(frozen=True)
class BertConfig:
    """What the forward pass needs from config.json and the sentence-transformers files."""

    layers: int
    heads: int
    eps: float
    max_len: int
    mean_pooling: bool
    normalize: bool


def read_config(folder: Path) -> BertConfig:
    """The folder's architecture, or RagError when this encoder cannot run it."""
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json",
                 "model.safetensors"):  # fmt: skip
        if not (folder / name).is_file():
            raise RagError(
                f"{folder} has no {name}; the fast query encoder cannot run it: use the "
                "sentence-transformers embedder"
            )
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        raise RagError(
            f"{folder} is not a BERT model with GELU ({config.get('model_type')}); the fast "
            "query encoder cannot run it: use the sentence-transformers embedder"
        )
    modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    types = [m["type"].rsplit(".", 1)[-1] for m in modules]
    pooling = {}
    for m in modules:
        if m["type"].endswith("Pooling"):
            pooling = json.loads((folder / m["path"] / "config.json").read_text(encoding="utf-8"))
    if not pooling.get("pooling_mode_mean_tokens") and not pooling.get("pooling_mode_cls_token"):
        raise RagError(f"{folder} uses a pooling the fast encoder lacks; use sentence-transformers")
    st = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return BertConfig(
        layers=int(config["num_hidden_layers"]),
        heads=int(config["num_attention_heads"]),
        eps=float(config.get("layer_norm_eps", 1e-12)),
        max_len=int(st.get("max_seq_length", 512)),
        mean_pooling=bool(pooling.get("pooling_mode_mean_tokens")),
        normalize="Normalize" in types,
    )


class NumpyEncoder:
    """The Embedder protocol over a BERT sentence-transformers folder, without torch."""

    def __init__(self, settings: EmbedderSettings) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.settings = settings
        self.path = resolve_model_dir(settings)
        self.name = model_name(self.path)
        self.config = read_config(self.path)
        self.w = load_file(str(self.path / "model.safetensors"))
        self.w = {k.removeprefix("bert."): v for k, v in self.w.items()}
        self.tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.config.max_len)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.dim = int(self.w["embeddings.word_embeddings.weight"].shape[1])

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Normalised sentence vectors, float32, one row per text."""
        prefix = self.settings.query_prefix if kind == "query" else self.settings.passage_prefix
        out = []
        for start in range(0, len(texts), 16):
            batch = self.tokenizer.encode_batch([prefix + t for t in texts[start : start + 16]])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.float32)
            types = np.array([e.type_ids for e in batch], dtype=np.int64)
            out.append(self._pool(self._encode(ids, types, mask), mask))
        return np.concatenate(out) if out else np.zeros((0, self.dim), dtype=np.float32)

    def _encode(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, eps = self.w, self.config.eps
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: ids.shape[1]][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for i in range(self.config.layers):
            x = self._layer(x, bias, f"encoder.layer.{i}.")
        return x

    def _layer(self, x: np.ndarray, bias: np.ndarray, p: str) -> np.ndarray:
        w, eps, heads = self.w, self.config.eps, self.config.heads
        b, n, d = x.shape
        hd = d // heads

        def proj(name: str, t: np.ndarray) -> np.ndarray:
            return t @ w[f"{p}{name}.weight"].T + w[f"{p}{name}.bias"]

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(b, n, heads, hd).transpose(0, 2, 1, 3)

        q = split(proj("attention.self.query", x))
        k = split(proj("attention.self.key", x))
        v = split(proj("attention.self.value", x))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(hd)) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
        x = layer_norm(
            x + proj("attention.output.dense", ctx),
            w[f"{p}attention.output.LayerNorm.weight"], w[f"{p}attention.output.LayerNorm.bias"],
            eps,
        )  # fmt: skip
        h = proj("output.dense", gelu(proj("intermediate.dense", x)))
        return layer_norm(
            x + h, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], eps
        )

    def _pool(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.config.mean_pooling:
            v = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        else:
            v = x[:, 0]
        if self.config.normalize:
            v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return v.astype(np.float32)


def load_query_encoder(settings: EmbedderSettings) -> Embedder:
    """The numpy encoder when it can run the folder, else sentence-transformers."""
    try:
        return NumpyEncoder(settings)
    except RagError:
        from rag.embed import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(settings)
