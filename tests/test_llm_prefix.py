"""The saved system-prompt KV state: a fresh process restores it and generates the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.llm import LocalLLM, PrefixCache
from rag.answering.prompts import Prompts, chat_prefix
from rag.settings import GenerationSettings

pytestmark = pytest.mark.slow

USER = (
    "Bronnen:\n[1] Antwoord 8 op Kamervragen 2021Z13647\nEr zijn in totaal 4 BGI testkits "
    "besteld om te gebruiken in een vergelijkingstest.\n\nVraag: Heeft het kabinet testkits "
    "van BGI gekocht?<|im_end|>\n<|im_start|>assistant\n"
)


def fresh(cache: Path) -> LocalLLM:
    """A new model instance (as in a new process) whose prefix states live in cache."""
    llm = LocalLLM(GenerationSettings())
    llm.prefix_cache = PrefixCache(cache, llm.path)
    return llm


def generate(llm: LocalLLM, prefix: str) -> str:
    with llm.lock:
        return "".join(t.text for t in llm.stream(prefix + USER, max_tokens=24, prefix=prefix))


@pytest.fixture(scope="module")
def prefix() -> str:
    llm = LocalLLM(GenerationSettings())
    return chat_prefix(Prompts.load().system, llm.chat_template())


@pytest.fixture(scope="module")
def plain(prefix: str) -> str:
    """The answer with no prefix state at all: the whole prompt evaluated."""
    llm = LocalLLM(GenerationSettings())
    llm.prefix_cache = None
    with llm.lock:
        return "".join(t.text for t in llm.stream(prefix + USER, max_tokens=24))


def test_restored_prefix_generates_exactly_what_a_full_evaluation_does(
    tmp_path: Path, prefix: str, plain: str
) -> None:
    first = fresh(tmp_path)
    assert generate(first, prefix) == plain
    assert len(list(tmp_path.glob("*.state"))) == 1
    second = fresh(tmp_path)
    with second.lock:
        assert second.prime(prefix) == "loaded"
    assert second.llama.n_tokens > 0
    assert generate(second, prefix) == plain
    with second.lock:
        assert second.prime(prefix) in ("kept", "loaded")  # same process: nothing re-read


def test_a_damaged_state_file_is_ignored_and_rewritten(
    tmp_path: Path, prefix: str, plain: str
) -> None:
    generate(fresh(tmp_path), prefix)
    (state,) = tmp_path.glob("*.state")
    data = bytearray(state.read_bytes())
    data[len(data) // 2] ^= 0xFF
    state.write_bytes(bytes(data))
    llm = fresh(tmp_path)
    with llm.lock:
        assert llm.prime(prefix) == "saved"
    assert generate(llm, prefix) == plain
    again = fresh(tmp_path)
    with again.lock:
        assert again.prime(prefix) == "loaded"


def test_another_system_prompt_gets_its_own_state(tmp_path: Path, prefix: str) -> None:
    llm = fresh(tmp_path)
    with llm.lock:
        assert llm.prime(prefix) == "saved"
        assert llm.prime(prefix.replace("zorgvuldige", "nauwkeurige")) == "saved"
    assert len(list(tmp_path.glob("*.state"))) == 2
