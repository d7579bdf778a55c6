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

from rag.embedders.base import Embedder, Kind
from rag.embedders.st import model_name, resolve_model_dir
from rag.errors import RagError
from rag.settings import EmbedderSettings

# Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, scipy costs an import
_P, _A = 0.3275911, (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


_F = np.float32
_BLOCK = 32768  # elements per GELU step: small enough to stay in the CPU cache


def _gelu_block(x: np.ndarray, out: np.ndarray) -> None:
    """out = 0.5 x (1 + erf(x / sqrt 2)) for one block, in place where it can be."""
    z = x * _F(1 / np.sqrt(2.0))
    a = np.abs(z)
    t = a * _F(_P)
    t += _F(1.0)
    np.reciprocal(t, out=t)
    p = t * _F(_A[4])
    for coef in (_A[3], _A[2], _A[1], _A[0]):
        p += _F(coef)
        p *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    p *= a  # 1 - erf(|z|)
    np.copysign(p, z, out=p)
    np.sign(z, out=out)
    out += _F(1.0)
    out -= p  # 1 + erf(z)
    out *= x
    out *= _F(0.5)


def gelu(x: np.ndarray) -> np.ndarray:
    """HF BERT's exact (erf) GELU, computed block by block (three times faster here)."""
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    for i in range(0, flat.size, _BLOCK):
        _gelu_block(flat[i : i + _BLOCK], out[i : i + _BLOCK])
    return out.reshape(x.shape)


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of (batch, heads, n, n).

    Shifting by one maximum per batch row instead of per matrix row gives the same result
    (softmax ignores a constant per row) with two cheap reductions instead of two slow
    row-wise ones; a row far below that maximum (sum under 1e-20, never seen in practice)
    falls back to the row-wise shift, so no row loses precision to underflow.
    """
    shifted = scores - scores.max(axis=(1, 2, 3), keepdims=True)
    np.exp(shifted, out=shifted)
    sums = shifted @ np.ones((scores.shape[-1], 1), dtype=scores.dtype)
    if (sums < 1e-20).any():
        shifted = scores - scores.max(-1, keepdims=True)
        np.exp(shifted, out=shifted)
        sums = shifted.sum(-1, keepdims=True)
    np.reciprocal(sums, out=sums)
    shifted *= sums
    return shifted


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


@dataclass(frozen=True)
class _Layer:
    """One encoder layer's weights, transposed and contiguous for x @ W (Q, K, V fused)."""

    qkv_w: np.ndarray
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    ff1_w: np.ndarray
    ff1_b: np.ndarray
    ff2_w: np.ndarray
    ff2_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray

    @classmethod
    def of(cls, w: dict[str, np.ndarray], p: str) -> _Layer:
        def t(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[f"{p}{name}.weight"].T, dtype=np.float32)

        att = ("attention.self.query", "attention.self.key", "attention.self.value")
        return cls(
            qkv_w=np.ascontiguousarray(np.concatenate([t(a) for a in att], axis=1)),
            qkv_b=np.concatenate([w[f"{p}{a}.bias"] for a in att]).astype(np.float32),
            out_w=t("attention.output.dense"),
            out_b=w[f"{p}attention.output.dense.bias"],
            ln1_w=w[f"{p}attention.output.LayerNorm.weight"],
            ln1_b=w[f"{p}attention.output.LayerNorm.bias"],
            ff1_w=t("intermediate.dense"),
            ff1_b=w[f"{p}intermediate.dense.bias"],
            ff2_w=t("output.dense"),
            ff2_b=w[f"{p}output.dense.bias"],
            ln2_w=w[f"{p}output.LayerNorm.weight"],
            ln2_b=w[f"{p}output.LayerNorm.bias"],
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
        self.layers = [_Layer.of(self.w, f"encoder.layer.{i}.") for i in range(self.config.layers)]

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
        b, n = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        ).reshape(b * n, self.dim)
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        # padding keys get -inf-like scores; a batch without padding (one query) needs none
        padded = bool((mask == 0).any())
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :] if padded else None
        for layer in self.layers:
            x = self._layer(x, b, n, bias, layer)
        return x.reshape(b, n, self.dim)

    def _layer(
        self,
        x: np.ndarray,
        b: int,
        n: int,
        bias: np.ndarray | None,
        L: _Layer,  # noqa: N803
    ) -> np.ndarray:
        """One post-norm BERT layer on x of shape (b*n, d): fused QKV, softmax, GELU FFN."""
        d, heads, eps = self.dim, self.config.heads, self.config.eps
        hd = d // heads
        qkv = x @ L.qkv_w
        qkv += L.qkv_b
        # (3, b, heads, n, hd) views of the one projection
        qkv = qkv.reshape(b, n, 3, heads, hd).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(1.0 / np.sqrt(hd))
        if bias is not None:
            scores += bias
        ctx = (softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(b * n, d)
        h = ctx @ L.out_w
        h += L.out_b
        h += x
        x = layer_norm(h, L.ln1_w, L.ln1_b, eps)
        f = x @ L.ff1_w
        f += L.ff1_b
        f = gelu(f) @ L.ff2_w
        f += L.ff2_b
        f += x
        return layer_norm(f, L.ln2_w, L.ln2_b, eps)

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
        from rag.embedders.st import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(settings)
