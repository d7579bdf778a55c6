"""Prompts from the files in prompts/: numbered sources within the model's token budget.

The prompt starts with the constant system prompt (Built.prefix), so llama.cpp reuses its
cached prefix from one question to the next, and a new process restores it from a file
(rag/answering/llm.py PrefixCache).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.types import Hit

SOURCE_MAX_TOKENS = 300  # one source never takes more than this


def prompts_dir() -> Path:
    """The prompt files: prompts/ of the checkout, installed in a wheel as rag.prompts."""
    from importlib.resources import files

    return Path(str(files("rag.prompts")))


@dataclass(frozen=True)
class Prompts:
    """The prompt files, read once."""

    system: str
    answer: str
    source: str
    language: dict[str, str]
    refusal: dict[str, str]
    refusal_filter: dict[str, str]  # added to a refusal when a filter was active
    refusal_amount: dict[str, str]  # added when units on the topic give no amount asked
    quote_intro: dict[str, str]
    model_intro: dict[str, str]

    @classmethod
    def load(cls, folder: Path | None = None) -> Prompts:
        """Read every prompt file of folder (default: prompts/, installed as rag.prompts);
        a missing file is an error naming it."""
        folder = folder or prompts_dir()

        def read(name: str) -> str:
            path = folder / f"{name}.txt"
            if not path.is_file():
                from rag.errors import RagError

                raise RagError(f"prompt file {path} is missing; restore it from the repository")
            return path.read_text(encoding="utf-8").strip()

        langs = ("nl", "en")
        return cls(
            system=read("system"),
            answer=read("answer"),
            source=read("source"),
            language={lang: read(f"language_{lang}") for lang in langs},
            refusal={lang: read(f"refusal_{lang}") for lang in langs},
            refusal_filter={lang: read(f"refusal_filter_{lang}") for lang in langs},
            refusal_amount={lang: read(f"refusal_amount_{lang}") for lang in langs},
            quote_intro={lang: read(f"quote_intro_{lang}") for lang in langs},
            model_intro={lang: read(f"model_intro_{lang}") for lang in langs},
        )


@dataclass(frozen=True)
class Built:
    """A prompt, its constant start (the KV cache of which is reused) and the sources in it:
    prompt number -> hit."""

    text: str
    sources: dict[int, Hit]
    tokens: int
    prefix: str = ""


def chat_prefix(system: str, template: str | None) -> str:
    """The start of every prompt for this model: the system prompt in its chat format."""
    if template and "<|im_start|>" in template:
        return f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n"
    if template and "<start_of_turn>" in template:
        return f"<start_of_turn>user\n{system}\n\n"
    return f"{system}\n\n"


def wrap(system: str, user: str, template: str | None) -> str:
    """System and user text in the model's chat format (plain text for base models)."""
    if template and "<|im_start|>" in template:
        end = "<|im_end|>\n<|im_start|>assistant\n"
    elif template and "<start_of_turn>" in template:
        end = "<end_of_turn>\n<start_of_turn>model\n"
    else:
        end = "\n\nAntwoord:"
    return chat_prefix(system, template) + user + end


def build_prompt(
    prompts: Prompts,
    question: str,
    lang: str,
    hits: Sequence[Hit],
    addresses: dict[str, str],
    count: Callable[[str], int],
    budget: int,
    template: str | None,
    excerpt: Callable[[Hit], str] | None = None,
) -> Built:
    """Number the hits [1]..[k] in rank order while the prompt fits the token budget.

    A source's text is excerpt(hit) when given (the pipeline passes the answer's sentences
    that best match the question), else the unit's text, clipped to SOURCE_MAX_TOKENS.
    """
    blocks: list[str] = []
    sources: dict[int, Hit] = {}
    for hit in hits:
        n = len(sources) + 1
        text = _clip(excerpt(hit) if excerpt else hit.unit.text, count, SOURCE_MAX_TOKENS)
        block = prompts.source.format(
            n=n, label=hit.unit.label, address=addresses[hit.unit.unit_id], text=text
        )
        candidate = _render(prompts, question, lang, [*blocks, block], template)
        if count(candidate) > budget and sources:
            break
        blocks.append(block)
        sources[n] = hit
    text = _render(prompts, question, lang, blocks, template)
    return Built(text, sources, count(text), chat_prefix(prompts.system, template))


def _render(prompts: Prompts, question: str, lang: str, blocks: list[str], template: str | None):
    user = prompts.answer.format(
        sources="\n\n".join(blocks), question=question, language_instruction=prompts.language[lang]
    )
    return wrap(prompts.system, user, template)


def _clip(text: str, count: Callable[[str], int], limit: int) -> str:
    """text cut at a word boundary so that it has at most limit tokens."""
    if count(text) <= limit:
        return text
    words = text.split()
    lo, hi = 0, len(words)
    while lo < hi:  # the longest word prefix within the limit
        mid = (lo + hi + 1) // 2
        if count(" ".join(words[:mid])) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo]) + " …"
