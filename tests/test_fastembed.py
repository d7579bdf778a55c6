"""The torch-free query encoder gives sentence-transformers' vectors, and loads fast."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.embedders.numpy_bert import NumpyEncoder, gelu, load_query_encoder, read_config
from rag.embedders.st import bundled_model_dir
from rag.errors import RagError
from rag.parsing import parse_file
from rag.settings import EmbedderSettings


def minilm(**kw) -> EmbedderSettings:
    """Settings for the bundled MiniLM folder (the numpy encoder runs BERT folders)."""
    return EmbedderSettings(model=str(bundled_model_dir()), **kw)


def real_texts(seed_paths) -> list[str]:
    """~50 real texts: Dutch questions and answers short and long, English questions."""
    units = [u for p in sorted(seed_paths.values()) for u in parse_file(p).units]
    texts = [u.question or u.text for u in units[::7]][:20]
    texts += [u.text for u in units[3::11]][:15]  # long: beyond 256 tokens, truncated
    texts += [
        "Did the Dutch government buy test kits from BGI?",
        "What does the cabinet think of Huawei in the 5G network?",
        "Is China exempt under the Paris Agreement?",
        "ja",
        "",
    ]
    return texts


@pytest.fixture(scope="module")
def st_model():
    from rag.embedders.st import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(minilm())


@pytest.mark.slow
def test_vectors_equal_sentence_transformers(st_model, seed_paths) -> None:
    texts = real_texts(seed_paths)
    assert max(len(t) for t in texts) > 2000  # over 256 tokens: truncated
    fast = NumpyEncoder(minilm())
    for kind in ("query", "passage"):
        a, b = fast.embed(texts, kind), st_model.embed(texts, kind)
        assert a.shape == b.shape == (len(texts), 384)
        cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        assert cos.min() >= 1 - 1e-4, cos.min()
    one_by_one = np.stack([fast.embed([t], "query")[0] for t in texts[:6]])
    assert np.allclose(one_by_one, fast.embed(texts[:6], "query"), atol=1e-5)  # padding-free
    assert fast.name == st_model.name and fast.dim == st_model.dim


def test_prefixes_apply_as_in_the_settings() -> None:
    plain = NumpyEncoder(minilm())
    prefixed = NumpyEncoder(minilm(query_prefix="query: "))
    assert np.allclose(prefixed.embed(["x"], "query"), plain.embed(["query: x"], "query"))
    assert np.allclose(prefixed.embed(["x"], "passage"), plain.embed(["x"], "passage"))


def test_gelu_matches_the_exact_erf_gelu_across_blocks() -> None:
    """The blocked GELU against math.erf, on a matrix larger than one block."""
    x = np.linspace(-9, 9, 7 * 17_143, dtype=np.float32).reshape(-1, 7)  # 3.7 blocks
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.ravel().tolist()])
    got = gelu(x)
    assert got.shape == x.shape and got.dtype == np.float32
    assert np.abs(got.ravel() - exact).max() < 2e-6


def test_a_non_bert_folder_is_refused_and_falls_back(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "xlm-roberta"}))
    (tmp_path / "modules.json").write_text("[]")
    with pytest.raises(RagError, match="has no sentence_bert_config.json"):
        read_config(tmp_path)  # a folder with only pytorch weights, say
    for name in ("sentence_bert_config.json", "tokenizer.json", "model.safetensors"):
        (tmp_path / name).write_text("{}")
    with pytest.raises(RagError, match="use the sentence-transformers embedder"):
        read_config(tmp_path)


def test_the_query_path_imports_neither_torch_nor_sentence_transformers() -> None:
    code = (
        "import sys; from rag.embedders.numpy_bert import load_query_encoder;"
        "from rag.settings import EmbedderSettings; from rag.embedders.st import bundled_model_dir;"
        "e = load_query_encoder(EmbedderSettings(model=str(bundled_model_dir())));"
        "e.embed(['testkits BGI'], 'query');"
        "print(type(e).__name__, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["NumpyEncoder", "False", "False"]
    assert isinstance(load_query_encoder(minilm()), NumpyEncoder)
