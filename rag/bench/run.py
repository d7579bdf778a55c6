"""`rag bench`: speed and memory figures, each printed next to its baseline.

Cold figures run the real CLI in subprocesses (one process tree); warm figures run in this
process after one warm-up call.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RAG = [sys.executable, "-m", "rag"]
SAMPLE_QUESTION = "Heeft het kabinet testkits van BGI gekocht?"
WARM_QUESTIONS = (
    SAMPLE_QUESTION,
    "Wat vindt het kabinet van de behandeling van de Oeigoeren?",
    "Mogen Chinese bedrijven meedoen aan de aanleg van het 5G-netwerk?",
    "Did the Netherlands raise human rights with China?",
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    return env


def time_import_sentence_transformers() -> float:
    """Wall time of a fresh `python -c "import sentence_transformers"`."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sentence_transformers"], check=True)
    return time.perf_counter() - t0


def cold_ask_once(question: str, index: str, mode: str) -> tuple[float, float]:
    """Run `rag ask` in a fresh process: (seconds to first answer byte, seconds to exit)."""
    cmd = [*RAG, "ask", question, "--index", index, "--mode", mode]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env())
    assert proc.stdout is not None
    first = proc.stdout.read(1)
    t_first = time.perf_counter() - t0
    proc.stdout.read()
    if proc.wait() != 0 or not first:
        raise RuntimeError(f"`{' '.join(cmd)}` failed (exit {proc.returncode})")
    return t_first, time.perf_counter() - t0


def cold_model_token_once(question: str, index: str) -> tuple[float, float, str]:
    """Run `rag ask --json` in a fresh process: (seconds from launch to the model's first
    token, seconds to exit, the mode used). The answer's asked_at (epoch) and its
    timings.first_token place the token on the launching process's clock."""
    cmd = [*RAG, "ask", question, "--index", index, "--mode", "generate", "--json"]
    launched = time.time()
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=_env())
    total = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed (exit {out.returncode})")
    answer = json.loads(out.stdout)
    if "first_token" not in answer["timings"]:
        raise RuntimeError(f"`{' '.join(cmd)}` ran no model ({answer['mode_used']})")
    first = answer["asked_at"] - launched + answer["timings"]["first_token"]
    return first, total, answer["mode_used"]


def cold_ask(question: str, index: str, mode: str = "generate", runs: int = 5) -> dict:
    """Median over runs of cold `rag ask` to the first answer text and to the full answer;
    in generate mode also to the model's first token (own runs, --json), and the first run
    ever, before the system prompt's KV state is saved (rag/answering/llm.py PrefixCache)."""
    out: dict = {"mode": mode, "runs": runs}
    if mode == "generate":
        from rag.answering.llm import CACHE

        shutil.rmtree(CACHE / "prefix", ignore_errors=True)
        first_ever = cold_model_token_once(question, index)
        out["first_run_model_token_s"] = round(first_ever[0], 3)
    cold_ask_once(question, index, mode)  # page cache warm-up, not counted
    samples = [cold_ask_once(question, index, mode) for _ in range(runs)]
    out["first_token_s"] = round(statistics.median(s[0] for s in samples), 3)
    out["full_answer_s"] = round(statistics.median(s[1] for s in samples), 3)
    if mode == "generate":
        model = [cold_model_token_once(question, index) for _ in range(runs)]
        out["model_first_token_s"] = round(statistics.median(m[0] for m in model), 3)
        out["model_full_answer_s"] = round(statistics.median(m[1] for m in model), 3)
        out["mode_used"] = sorted({m[2] for m in model})
    return out


def run_measured(cmd: list[str]) -> tuple[int, int, str]:
    """Run cmd to the end: (exit code, its own peak RSS in KiB, stderr).

    The peak is the child's VmHWM, read while it runs: ru_maxrss would carry this (large)
    process's size into the child across fork and exec."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=_env())
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _vm_hwm_kb(proc.pid))
            time.sleep(0.05)
        err.seek(0)
        return proc.returncode, peak, err.read().decode("utf-8", "replace")


def _vm_hwm_kb(pid: int) -> int:
    """A running process's peak resident memory so far (VmHWM, KiB; 0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 3), "p95_ms": round(p95 * 1000, 3)}


class _Timed:
    """A proxy that adds the wall time of one method's calls to a shared stage clock."""

    def __init__(self, target: object, method: str, stage: str, clock: dict[str, float]) -> None:
        self._target, self._method, self._stage, self._clock = target, method, stage, clock

    def __getattr__(self, name: str):  # noqa: ANN204 - forwards any attribute
        value = getattr(self._target, name)
        if name != self._method:
            return value

        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                self._clock[self._stage] += time.perf_counter() - t0

        return timed


STAGES = ("embed", "faiss", "bm25+fusion", "total")


def warm_retrieval(index, embedder, settings, queries: list[str], k: int = 5) -> dict:  # noqa: ANN001
    """Warm hybrid search over queries: p50/p95 per stage (the query embedding, the FAISS
    search, and the rest: BM25 over its postings, fusion and hit assembly)."""
    from dataclasses import replace

    from rag.retrieval.hybrid import HybridRetriever

    clock = dict.fromkeys(STAGES, 0.0)
    timed = replace(
        index,
        dense=_Timed(index.dense, "search", "faiss", clock),
    )
    retriever = HybridRetriever(timed, _Timed(embedder, "embed", "embed", clock), settings)
    retriever.search(queries[0], k=k)  # warm-up, not counted
    samples: dict[str, list[float]] = {s: [] for s in STAGES}
    for query in queries:
        clock.update(dict.fromkeys(STAGES, 0.0))
        t0 = time.perf_counter()
        retriever.search(query, k=k, mode="hybrid")
        clock["total"] = time.perf_counter() - t0
        clock["bm25+fusion"] = clock["total"] - clock["embed"] - clock["faiss"]
        for stage in STAGES:
            samples[stage].append(clock[stage])
    return {"queries": len(queries), **{s: percentiles(samples[s]) for s in STAGES}}


class _Recorder:
    """Wraps the LocalLLM: records each streamed token's time and the prompt it was given."""

    def __init__(self, llm) -> None:  # noqa: ANN001 - rag.answering.llm.LocalLLM
        self._llm = llm
        self.prompt = ""
        self.started = 0.0
        self.times: list[float] = []

    def __getattr__(self, name: str):  # noqa: ANN204 - forwards any attribute
        return getattr(self._llm, name)

    def stream(self, prompt: str, max_tokens: int | None = None, prefix: str = ""):  # noqa: ANN201
        self.prompt, self.started, self.times = prompt, time.perf_counter(), []
        for token in self._llm.stream(prompt, max_tokens, prefix):
            self.times.append(token.at)
            yield token


def decode_rate(started: float, times: list[float]) -> dict:
    """Time to first token and tokens per second after it (decode speed)."""
    if len(times) < 2:
        raise RuntimeError("the model produced fewer than 2 tokens; cannot time generation")
    return {
        "first_token_s": round(times[0] - started, 4),
        "tokens": len(times),
        "tokens_per_s": round((len(times) - 1) / (times[-1] - times[0]), 2),
    }


def raw_llama_rate(llama, prompt: str, max_tokens: int, settings) -> dict:  # noqa: ANN001
    """The same model and prompt straight through llama-cpp-python, same sampling."""
    from rag.answering.llm import sampling

    started, times = time.perf_counter(), []
    for chunk in llama.create_completion(
        prompt,
        max_tokens=max_tokens,
        **sampling(settings),
        stream=True,
    ):
        if chunk["choices"][0]["text"]:
            times.append(time.perf_counter())
    return decode_rate(started, times)


def warm_answer(settings, questions: list[str]) -> dict:  # noqa: ANN001
    """Warm `generate` answers in this process beside raw llama.cpp on the same prompts.

    Each run asks a different question (only the system prompt prefix is cached); the raw
    run starts from an empty KV cache, so its first token includes the whole prompt.
    """
    from rag.answering.llm import ModelCache
    from rag.answering.side import open_query_side

    models = ModelCache()
    llm = models.get(settings.generation)
    recorder = _Recorder(llm)
    answerer = open_query_side(settings, models=models).answerer
    answerer.llm = lambda: recorder
    answerer.ask(questions[0], mode="generate")  # warm-up: loads the model, caches the prefix
    ours, raw, shown = [], [], []
    for question in questions[1:]:
        answer = answerer.ask(question, mode="generate")
        ours.append(decode_rate(recorder.started, recorder.times))
        shown.append(answer.timings.get("first_text", answer.timings["total"]))
        llm.llama.reset()
        raw.append(raw_llama_rate(llm.llama, recorder.prompt, len(recorder.times), llm.settings))
    return {
        "model": llm.name,
        "runs": len(questions) - 1,
        "prompt_tokens": llm.count(recorder.prompt),
        "first_token_s": statistics.median(r["first_token_s"] for r in ours),
        "first_text_shown_s": round(statistics.median(shown), 4),
        "tokens_per_s": statistics.median(r["tokens_per_s"] for r in ours),
        "raw_first_token_s": statistics.median(r["first_token_s"] for r in raw),
        "raw_tokens_per_s": statistics.median(r["tokens_per_s"] for r in raw),
    }
