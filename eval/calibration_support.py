"""The support check's calibration set, from the development gold, and its confusion matrix.

Positives ("faithful"): each sentence of a gold `reference_answer` against its gold unit.
Negatives: the same sentence against the most similar other unit ("misattributed"), and
perturbed copies against the gold unit: a number changed ("number"), the negation flipped
("negation"), a proper name swapped for one from another answer ("name"), a Kamerstuk or
kenmerk number changed ("kamerstuk"), a neighbouring item's claim appended ("appended").
Thresholds are chosen on fold A (the fold of an item: first byte of sha256(id) even -> A)
and the matrix is reported per fold and kind.

    .venv/bin/python eval/calibration_support.py [--gold eval/dev.jsonl] [--json OUT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from calibration_features import load_vectors, save_vectors  # noqa: E402

from rag.analysis.lang import detect  # noqa: E402
from rag.analysis.sentences import split_sentences  # noqa: E402
from rag.analysis.terms import Analyzer, fold  # noqa: E402
from rag.answering.choose import SentenceVectors  # noqa: E402
from rag.answering.cite import quotable_text  # noqa: E402
from rag.answering.support import (  # noqa: E402
    Support,
    SupportChecker,
    SupportSettings,
    accepts,
)  # fmt: skip
from rag.answering.support_facts import KENMERK, NAME  # noqa: E402
from rag.embedders.e5 import E5Embedder  # noqa: E402
from rag.evaluation.gold import load_gold  # noqa: E402
from rag.parsing import parse_file  # noqa: E402
from rag.settings import REPO  # noqa: E402

# the negation words the perturbation flips (fixed, so the set does not move with the check)
NEGATION = re.compile(
    r"\b(niet|geen|nooit|niets|niemand|noch|not|no|never|none|nothing|nobody|nor)\b|n't\b",
    re.IGNORECASE,
)
PARTICLE = re.compile(r"^\s*(nee|neen|no|ja|yes)\b[,;:.]?\s*", re.IGNORECASE)
DOSSIER = re.compile(r"\b\d{2} ?\d{3}\b")
VERB = re.compile(r"\b(is|zijn|heeft|hebben|wordt|worden|kan|kunnen|zal|zullen|was|waren|"
                  r"werd|werden|are|has|have|was|were|will|can|does|did)\b")  # fmt: skip


ANALYZER = Analyzer()


def fold_of(item_id: str) -> str:
    """A for an even first byte of the id's SHA-256, else B."""
    return "A" if hashlib.sha256(item_id.encode()).digest()[0] % 2 == 0 else "B"


def bump(number: str) -> str:
    """A different number of the same shape (last digit changed)."""
    last = number[-1]
    return number[:-1] + str((int(last) + 3) % 10)


def flip_negation(sentence: str) -> str:
    """The sentence with its negation removed, or one inserted after the first verb."""
    body = PARTICLE.sub("", sentence)  # "Nee, ..." / "No, ...": the particle stays
    head = sentence[: len(sentence) - len(body)]
    if NEGATION.search(body):
        out = re.sub(r"\bgeen\b", "een", body, count=1, flags=re.I)
        if out == body:
            out = re.sub(r"\bno\b", "a", body, count=1, flags=re.I)
        if out == body:
            out = NEGATION.sub("", body, count=1)
        return head + re.sub(r"\s{2,}", " ", out)
    english = detect(sentence) == "en"
    m = VERB.search(sentence)
    if not m:
        return ""
    return sentence[: m.end()] + (" not" if english else " niet") + sentence[m.end() :]


def perturb(sentence: str, names: list[str], neighbour: str) -> dict[str, str]:
    """The perturbed copies of one sentence (a kind is missing when it does not apply)."""
    out: dict[str, str] = {}
    numbers = [m for m in re.finditer(r"\d+", sentence) if not DOSSIER.fullmatch(m.group())]
    if numbers:
        m = numbers[-1]
        out["number"] = sentence[: m.start()] + bump(m.group()) + sentence[m.end() :]
    ref = KENMERK.search(sentence) or DOSSIER.search(sentence)
    if ref:
        out["kamerstuk"] = sentence[: ref.start()] + bump(ref.group()) + sentence[ref.end() :]
    flipped = flip_negation(sentence)
    if flipped and flipped != sentence:
        out["negation"] = flipped
    own = NAME.findall(sentence)
    other = next((n for n in names if n not in sentence), None)
    if own and other:
        out["name"] = sentence.replace(own[0], other, 1)
    if neighbour:
        tail = neighbour[0].lower() + neighbour[1:]
        out["appended"] = sentence.rstrip(".") + " en " + tail
    return out


def overlap(sentence: str, source: str) -> float:
    """Share of the sentence's stems in the source (how the gold and the misattributed unit
    of a sentence are picked; fixed, so the set does not move with the check)."""
    mine = set(ANALYZER.tokens(sentence))
    return len(mine & set(ANALYZER.tokens(source))) / len(mine) if mine else 0.0


def build(gold_path: str) -> tuple[list[dict], frozenset[str], dict]:
    """The calibration pairs (id, fold, kind, sentence, unit, question), the corpus's
    words (what the garbled-word check accepts) and the documents' headers."""
    docs = {p.stem: parse_file(p) for p in sorted((REPO / "corpus").glob("*.txt"))}
    units = [u for d in docs.values() for u in d.units]
    items = [i for i in load_gold(gold_path) if i.answerable and i.reference_answer]
    names = sorted({n for i in items for n in NAME.findall(i.reference_answer)})
    pairs = []
    for k, item in enumerate(items):
        gold = [u for u in units if item.matches(u.doc, u.vraag)]
        if not gold:
            continue
        neighbour = split_sentences(items[(k + 1) % len(items)].reference_answer)[0]
        for j, sentence in enumerate(split_sentences(item.reference_answer)):
            unit = max(gold, key=lambda u: overlap(sentence, quotable_text(u)))
            other = max(
                (u for u in units if not item.matches(u.doc, u.vraag)),
                key=lambda u: overlap(sentence, quotable_text(u)),
            )
            base = {"id": f"{item.id}.{j}", "fold": fold_of(item.id), "question": item.question}
            pairs.append({**base, "kind": "faithful", "sentence": sentence, "unit": unit})
            pairs.append({**base, "kind": "misattributed", "sentence": sentence, "unit": other})
            for kind, text in perturb(sentence, names, neighbour).items():
                pairs.append({**base, "kind": kind, "sentence": text, "unit": unit})
    vocabulary = frozenset(w for u in units for w in re.findall(r"\w{6,}", fold(u.text)))
    return pairs, vocabulary, {d.meta.doc: d.meta for d in docs.values()}


class Memo:
    """The embedder with its query vectors kept on disk between calibration runs."""

    def __init__(self, embedder: E5Embedder, path: Path) -> None:
        self.embedder, self.dim, self.path = embedder, embedder.dim, path
        self.seen = json.loads(self.path.read_text()) if self.path.is_file() else {}

    def embed(self, texts: list[str], kind: str):  # noqa: ANN201
        if kind != "query":
            return self.embedder.embed(texts, kind)
        todo = [t for t in texts if t not in self.seen]
        for t, v in zip(todo, self.embedder.embed(todo, "query"), strict=True):
            self.seen[t] = [round(float(x), 6) for x in v]
        return np.array([self.seen[t] for t in texts], dtype=np.float32)

    def save(self) -> None:
        self.path.write_text(json.dumps(self.seen))


def score(pairs: list[dict], checker: SupportChecker) -> list[dict]:
    """Each pair with the check's signals (facts and negation decide before thresholds)."""
    out = []
    for p in pairs:
        s = checker.signals(p["sentence"], p["unit"], p["question"])
        out.append({**p, "unit": p["unit"].unit_id, "gate": not s.reason,
                    "cosine": round(s.cosine, 5), "lexical": round(s.lexical, 4),
                    "positions": list(s.positions), "reason": s.reason})  # fmt: skip
    return out


def matrix(rows: list[dict], settings: SupportSettings) -> dict[str, dict[str, float]]:
    """Per fold and kind: pairs, accepted, share accepted."""
    table: dict = defaultdict(lambda: [0, 0])
    for r in rows:
        ok = r["gate"] and accepts(_signals(r), settings)
        cell = table[(r["fold"], r["kind"])]
        cell[0] += 1
        cell[1] += ok
    return {f"{f} {k}": {"n": n, "accepted": a, "share": round(a / n, 3)}
            for (f, k), (n, a) in sorted(table.items())}  # fmt: skip


def _signals(r: dict) -> Support:
    return Support(False, (), r["cosine"], r["lexical"])


GRID = {
    "score": [round(1.0 + 0.01 * i, 2) for i in range(81)],
    "lexical_weight": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0],  # the second signal
}


def tune(rows: list[dict]) -> SupportSettings:
    """The settings on fold A: the most faithful accepted while every negative kind is
    rejected at >= 0.97, or, where no setting reaches that, at the best rate any reaches;
    among equals the strictest."""
    train = [r for r in rows if r["fold"] == "A" and r["gate"]]
    kinds = sorted({r["kind"] for r in rows})
    n = {k: sum(r["fold"] == "A" and r["kind"] == k for r in rows) for k in kinds}
    cos, lex = (np.array([r[f] for r in train]) for f in ("cosine", "lexical"))
    kind = np.array([r["kind"] for r in train])
    tried = []
    for w in GRID["lexical_weight"]:
        for t in GRID["score"]:
            ok = cos + w * lex >= t
            shares = {k: ok[kind == k].sum() / n[k] for k in kinds}
            worst = max(v for k, v in shares.items() if k != "faithful")
            tried.append((SupportSettings(t, w), worst, shares["faithful"], t))
    bar = max(0.03, min(t[1] for t in tried))
    return max((t for t in tried if t[1] <= bar), key=lambda t: (t[2], t[3]))[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default="eval/dev.jsonl")
    parser.add_argument("--json", help="write the scored pairs and the matrix here")
    parser.add_argument("--scored", help="reuse scored pairs from this file")
    parser.add_argument("--cache", default="/tmp/rag-calibration", help="embedding cache folder")
    args = parser.parse_args()
    if args.scored and Path(args.scored).is_file():
        rows = json.loads(Path(args.scored).read_text())["rows"]
    else:
        cache = Path(args.cache)
        cache.mkdir(parents=True, exist_ok=True)
        memo = Memo(E5Embedder(threads=1), cache / "query_vectors.json")
        vectors = load_vectors(SentenceVectors(memo), cache / "sentence_vectors.npz")
        pairs, vocabulary, docs = build(args.gold)
        rows = score(pairs, SupportChecker(vectors, vocabulary=vocabulary, docs=docs))
        save_vectors(vectors, cache / "sentence_vectors.npz")
        vectors.embedder.save()
    chosen = tune(rows)
    result = {"settings": chosen.__dict__, "matrix": matrix(rows, chosen),
              "default": matrix(rows, replace(SupportSettings())), "rows": rows}  # fmt: skip
    for key, cell in result["matrix"].items():
        print(f"{key:24} {cell['accepted']:4}/{cell['n']:<4} {cell['share']:.3f}")
    print("chosen:", chosen)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
