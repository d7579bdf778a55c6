"""The one settings object. Nested frozen dataclasses; unknown keys are rejected.

Settings come from defaults, then an optional TOML file, then CLI flags (the CLI is the
only place that reads the environment).
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.types import ANSWER_MODES, RETRIEVAL_MODES

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO / "corpus"
DEFAULT_INDEX = REPO / "index"
FAISS_TYPES = ("flat", "hnsw", "ivf")  # as rag.index.dense builds them
FUSIONS = ("weighted", "rrf")


@dataclass(frozen=True)
class EmbedderSettings:
    """Which model embeds passages and queries.

    model: "" (the bundled multilingual-e5-small), "minilm" (the bundled English
    all-MiniLM-L6-v2), or a local sentence-transformers folder. The prefixes apply to a
    folder only (the bundled e5 adds its own "query: " / "passage: ").
    """

    model: str = ""
    query_prefix: str = ""  # e.g. "query: " for an e5 folder
    passage_prefix: str = ""  # e.g. "passage: " for an e5 folder
    # text pieces of ~45 words (tokenizer tokens of a folder; words and marks for the bundled
    # e5): shorter pieces beat 200-token ones on eval/dev.jsonl (eval/RESULTS.md)
    max_tokens: int = 52
    overlap_tokens: int = 10
    batch_size: int = 32
    threads: int = 2  # the bundled e5 engine's threads


@dataclass(frozen=True)
class IndexSettings:
    """Where the index lives and how its two sides are built."""

    dir: str = str(DEFAULT_INDEX)
    faiss_type: str = "flat"  # flat (exact) | hnsw | ivf (approximate; docs/SCALE.md)
    stemmer: str = "dutch"  # PyStemmer algorithm name, stored in the manifest
    bm25_k1: float = 1.5
    bm25_b: float = 0.75


@dataclass(frozen=True)
class RetrievalSettings:
    """Hybrid retrieval: how BM25 and dense rankings are fused."""

    mode: str = "hybrid"  # hybrid | bm25 | dense
    k: int = 5
    # fusion chosen on fold A of eval/dev.jsonl with the bundled multilingual e5 and
    # reported on fold B and the 2,033-pair set (eval/RESULTS.md): min-max normalised scores,
    # weighted. BM25 reads Dutch only, so an English question leans on the dense side more.
    fusion: str = "weighted"  # weighted | rrf
    # weighted: min-max over the union of both sides' candidates, each with its real score
    # on both sides ("union"), or over each side's own candidates ("own")
    normalise: str = "union"
    rrf_k: int = 20  # used by fusion = "rrf" only
    bm25_weight: float = 1.0
    dense_weight: float = 2.5  # Dutch questions
    dense_weight_en: float = 3.0  # English questions
    candidates: int = 50  # per side, before fusion
    # a long question (a member's question pasted whole, or as long): its dense score per
    # candidate also counts, times answer_weight, the cosine of the question with the
    # unit's answer embedded in the query role, both centred on the mean of those answer
    # vectors. Chosen on fold A of eval/dev.jsonl and of the members' own questions of the
    # shipped corpus (eval/member_pairs.py), reported on their folds B and the 2,033 set
    long_question_words: int = 18  # at least this many words (0: every question)
    answer_weight: float = 0.75  # 0: off


@dataclass(frozen=True)
class GenerationSettings:
    """The local GGUF model used through llama-cpp-python."""

    model: str = ""  # path to a GGUF file; "" = bundled default
    n_ctx: int = 2048
    max_tokens: int = 160
    # prompt tokens at most (sources are added in rank order while they fit): prompt
    # evaluation dominates the time to first token on 2 cores (~0.4 s per 100 tokens with the
    # bundled model; the system prompt's share is restored from a file, see rag/answering/llm.py)
    prompt_budget: int = 520
    # per source, the answer's sentences that best match the question go into the prompt
    source_sentences: int = 3
    # sampling: greedy, with llama.cpp's usual repeat penalty (small models loop without it)
    temperature: float = 0.0
    top_k: int = 1
    repeat_penalty: float = 1.1
    threads: int = 2
    # llama.cpp's extra CPU buffer types (AMX, repacked weights). Off by default: the AMX
    # matmul segfaults on CPUs that report AMX inside VMs that do not enable it (seen here).
    extra_buffers: bool = False


@dataclass(frozen=True)
class AnswerSettings:
    """Verification and fallback thresholds (chosen on the development set)."""

    mode: str = "generate"  # generate | quote
    support_threshold: float = 0.5
    min_relevance: float = 0.3  # coverage of the question by the best unit (rag/answering/quote.py)
    quote_sentences: int = 3


@dataclass(frozen=True)
class Settings:
    """Everything configurable, in one place."""

    corpus_dir: str = str(DEFAULT_CORPUS)
    embedder: EmbedderSettings = field(default_factory=EmbedderSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)

    def __post_init__(self) -> None:
        validate(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Build settings from a nested dict; a misspelt key is an error."""
        return _build(cls, data, "")

    @classmethod
    def load(cls, path: str | Path | None = None) -> Settings:
        """Defaults, overridden by a TOML file when one is given."""
        if path is None:
            return cls()
        p = Path(path)
        if not p.is_file():
            raise RagError(f"settings file {p} not found; pass an existing TOML file")
        try:
            return cls.from_dict(tomllib.loads(p.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise RagError(f"settings file {p} is not valid TOML ({exc}); fix the file") from exc

    def override(self, section: str, **values: Any) -> Settings:
        """A copy with some fields of one section replaced (None values are ignored)."""
        values = {k: v for k, v in values.items() if v is not None}
        if not values:
            return self
        if section == "":
            return replace(self, **values)
        return replace(self, **{section: replace(getattr(self, section), **values)})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise RagError(
            f"unknown setting '{where}{unknown[0]}'; valid keys here: {', '.join(sorted(known))}"
        )
    kwargs = {}
    for name, value in data.items():
        default = known[name].default_factory() if callable(known[name].default_factory) else None
        if is_dataclass(default) and isinstance(value, dict):
            kwargs[name] = _build(type(default), value, f"{where}{name}.")
        else:
            kwargs[name] = value
    return cls(**kwargs)


# (section.field, test, what the value must be); types are checked from the annotations
_CHOICES = {
    "index.faiss_type": FAISS_TYPES,
    "retrieval.mode": RETRIEVAL_MODES,
    "retrieval.fusion": FUSIONS,
    "answer.mode": ANSWER_MODES,
}
_POSITIVE = ("embedder.max_tokens", "embedder.batch_size", "embedder.threads", "index.bm25_k1",
             "retrieval.k", "retrieval.rrf_k", "retrieval.candidates", "generation.n_ctx",
             "generation.max_tokens", "generation.prompt_budget", "generation.source_sentences",
             "generation.top_k", "generation.threads", "answer.quote_sentences")  # fmt: skip
_NON_NEGATIVE = ("embedder.overlap_tokens", "retrieval.bm25_weight", "retrieval.dense_weight",
                 "retrieval.dense_weight_en", "retrieval.long_question_words",
                 "retrieval.answer_weight", "generation.temperature",
                 "generation.repeat_penalty")  # fmt: skip
_FRACTIONS = ("index.bm25_b", "answer.support_threshold", "answer.min_relevance")
_TYPES = {"int": int, "float": (int, float), "str": str, "bool": bool}


def validate(settings: Settings) -> None:
    """RagError naming the setting, the bad value and what it must be, for any wrong value."""
    for section in fields(settings):
        value = getattr(settings, section.name)
        if str(section.type).endswith("Settings") and not is_dataclass(value):
            _bad(section.name, value, f"a [{section.name}] table of settings")
        if not is_dataclass(value):
            _check_type(section.name, section.type, value)
            continue
        for f in fields(value):
            key = f"{section.name}.{f.name}"
            _check_value(key, f.type, getattr(value, f.name))
    _check_stemmer(settings.index.stemmer)
    e = settings.embedder
    if not 2 * e.overlap_tokens < e.max_tokens:
        _bad(
            "embedder.overlap_tokens",
            e.overlap_tokens,
            f"below half of max_tokens ({e.max_tokens})",
        )


def _check_stemmer(name: str) -> None:
    import Stemmer

    if name not in Stemmer.algorithms():
        _bad("index.stemmer", name, "a PyStemmer language, e.g. dutch or english")


def _check_value(key: str, kind: Any, value: Any) -> None:
    _check_type(key, kind, value)
    if key in _CHOICES and value not in _CHOICES[key]:
        _bad(key, value, "one of " + ", ".join(_CHOICES[key]))
    if key in _POSITIVE and not value > 0:
        _bad(key, value, "a positive number")
    if key in _NON_NEGATIVE and value < 0:
        _bad(key, value, "zero or more")
    if key in _FRACTIONS and not 0 <= value <= 1:
        _bad(key, value, "between 0 and 1")


def _check_type(key: str, kind: Any, value: Any) -> None:
    want = _TYPES.get(str(kind))
    wrong_bool = isinstance(value, bool) and kind in ("int", "float")
    if want is not None and (wrong_bool or not isinstance(value, want)):
        _bad(key, value, {"int": "a whole number", "float": "a number"}.get(str(kind), f"a {kind}"))


def _bad(key: str, value: Any, must: str) -> None:
    raise RagError(
        f"setting {key} = {value!r} is wrong: it must be {must}; fix it in the settings file "
        "(or the flag that sets it)"
    )
