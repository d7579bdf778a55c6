"""Render `rag bench` figures as text: each measurement beside its baseline and target."""

from __future__ import annotations

from typing import Any

COLD_RATIO = 1 / 3  # cold first token at most a third of `import sentence_transformers`
WARM_P95_MS = 120.0  # warm hybrid retrieval p95 on the 2,033-answer set (e5: embedding included)
COLD_QUOTE_S = 1.0  # cold `rag ask --mode quote` to the first answer text
TOKENS_RATIO = 0.9  # generation at least 90% of raw llama.cpp tokens per second


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def cold_lines(cold: dict[str, Any]) -> list[str]:
    """Cold `rag ask` against the bare import of sentence-transformers."""
    base = cold["import_sentence_transformers_s"]
    ask = cold["ask"]
    ratio = ask["first_token_s"] / base
    lines = [
        f"cold rag ask (median of {ask['runs']}, mode {ask['mode']})",
        f"  baseline: python -c 'import sentence_transformers'  {base:.2f} s",
        f"  first answer text (the verified quote) {ask['first_token_s']:.2f} s, "
        f"full answer {ask['full_answer_s']:.2f} s",
        f"    ratio {ratio:.2f} (target <= {COLD_RATIO:.2f})  {_verdict(ratio <= COLD_RATIO)}",
    ]
    if "model_first_token_s" in ask:
        model = ask["model_first_token_s"] / base
        lines += [
            f"  the model's first token {ask['model_first_token_s']:.2f} s "
            f"(answers: {', '.join(ask['mode_used'])})",
            f"    ratio {model:.2f} (target <= {COLD_RATIO:.2f})  {_verdict(model <= COLD_RATIO)}",
            f"  first run ever (no saved system-prompt state): model's first token "
            f"{ask['first_run_model_token_s']:.2f} s",
        ]
    return lines + _quote_lines(cold, base)


def _quote_lines(cold: dict[str, Any], base: float) -> list[str]:
    """The same question cold in quote mode (no LLM), when measured, beside MiniLM's index."""
    if "ask_quote" not in cold:
        return []
    q = cold["ask_quote"]
    ratio = q["first_token_s"] / base
    lines = [
        f"cold rag ask --mode quote (e5 index): first answer text {q['first_token_s']:.2f} s, "
        f"full answer {q['full_answer_s']:.2f} s",
        f"  target <= {COLD_QUOTE_S:.1f} s  {_verdict(q['first_token_s'] <= COLD_QUOTE_S)}; "
        f"ratio to the import {ratio:.2f} (target <= {COLD_RATIO:.2f})",
    ]
    if "ask_quote_minilm" in cold:
        m = cold["ask_quote_minilm"]
        lines.append(
            f"  baseline: the same on the MiniLM index: first answer text "
            f"{m['first_token_s']:.2f} s, full answer {m['full_answer_s']:.2f} s"
        )
    return lines


def retrieval_lines(name: str, warm: dict[str, Any], target: bool) -> list[str]:
    """p50/p95 per stage of warm hybrid retrieval."""
    lines = [f"warm hybrid retrieval, {name} ({warm['queries']} queries)   p50 ms   p95 ms"]
    for stage in ("embed", "faiss", "bm25+fusion", "total"):
        s = warm[stage]
        lines.append(f"  {stage:<8} {s['p50_ms']:28.2f} {s['p95_ms']:8.2f}")
    if target:
        p95 = warm["total"]["p95_ms"]
        lines.append(f"  total p95 target < {WARM_P95_MS:.0f} ms  {_verdict(p95 < WARM_P95_MS)}")
    return lines


def answer_lines(answer: dict[str, Any]) -> list[str]:
    """Warm answer speed against raw llama.cpp on the same model and prompt."""
    ratio = answer["tokens_per_s"] / answer["raw_tokens_per_s"]
    return [
        f"warm answer ({answer['model']}, {answer['prompt_tokens']} prompt tokens)",
        f"  time to first token {answer['first_token_s']:.3f} s, "
        f"generation {answer['tokens_per_s']:.1f} tokens/s",
        f"  baseline: raw llama.cpp, same model and prompt "
        f"{answer['raw_tokens_per_s']:.1f} tokens/s",
        f"  ratio {ratio:.2f} (target >= {TOKENS_RATIO:.2f})  {_verdict(ratio >= TOKENS_RATIO)}",
    ]


def build_lines(build: dict[str, Any]) -> list[str]:
    """Index build throughput and peak memory, e5 beside MiniLM, and the e5 engine's own
    single-call speed (the target: a build embeds at least that fast)."""
    lines = [
        "index build from scratch   passages   e5 tokens  seconds  passages/s  tokens/s  peak MB"
    ]
    for name, b in build.items():
        lines.append(
            f"  {name:<22} {b['passages']:9d} {b['tokens']:11d} {b['seconds']:8.1f} "
            f"{b['passages_per_s']:11.1f} {b['tokens_per_s']:9.1f} {b['peak_rss_mb']:8.0f}"
        )
    for name, b in build.items():
        if b.get("answers"):
            lines.append(f"  {name}: e5 tokens include {b['answers']} answers in the query role")
    e5 = build.get("shipped_e5")
    if e5:
        engine = e5["engine"]["tokens_per_s"]
        ok = e5["tokens_per_s"] >= engine
        lines.append(
            f"  e5 engine alone, one text per call: {engine:.1f} tokens/s; the build "
            f"{e5['tokens_per_s']:.1f} tokens/s  {_verdict(ok)}"
        )
    return lines


def render_text(result: dict[str, Any]) -> str:
    """All parts present in result, in a fixed order."""
    m = result["machine"]
    lines = [f"rag bench  {m['date']}  {m['cpus']} CPUs  Python {m['python']}  {m['platform']}"]
    if "cold" in result:
        lines += ["", *cold_lines(result["cold"])]
    if "warm" in result:
        warm = result["warm"]
        for key, name in (
            ("retrieval_shipped", "shipped corpus, e5"),
            ("retrieval_shipped_minilm", "shipped corpus, MiniLM (baseline)"),
            ("retrieval_qa2033", "2,033 answers, e5"),
            ("retrieval_qa2033_minilm", "2,033 answers, MiniLM (baseline)"),
        ):
            if key in warm:
                lines += ["", *retrieval_lines(name, warm[key], key == "retrieval_qa2033")]
        lines += ["", *answer_lines(warm["answer"])]
    if "build" in result:
        lines += ["", *build_lines(result["build"])]
    if "scale" in result:
        from rag.bench.scale import render_lines

        lines += ["", *render_lines(result["scale"])]
    return "\n".join(lines)
