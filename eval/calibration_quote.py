"""Choose the refusal gate and the quote settings on fold A of eval/dev.jsonl; report fold B.

Reads the features written by eval/calibration_features.py (hits with coverage and dense
cosine, sentences with cosine and lexical scores) and replays the answer rules of
rag/answering/pipeline.py, gate.py and choose.py offline for every setting of a grid. The
chosen setting is the one that meets the targets on fold A (citation precision >= 0.85,
citation recall >= 0.90, must-mention recall >= 0.70, refusal of unanswerable >= 0.85,
false refusals <= 0.05) with the most must-mention recall per quoted word; confirm with
`rag eval --mode quote` on the whole file.

    .venv/bin/python eval/calibration_quote.py /tmp/answer/features.json
    .venv/bin/python eval/calibration_quote.py /tmp/answer/features.json --shipped \
        [--no-money] [--no-number-first] [--no-number-close] [--number-margin 0.04]
    .venv/bin/python eval/calibration_quote.py /tmp/answer/features.json --further  # + every
        further-source setting on both folds
    .venv/bin/python eval/calibration_quote.py /tmp/answer/features.json --relative \
        [--transfer /tmp/answer/features_pdfs.json]  # relative gates against the shipped one
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.answering import choose as choose_module  # noqa: E402
from rag.answering.asks import can_answer  # noqa: E402
from rag.answering.choose import ChoiceSettings, number_first, pick  # noqa: E402
from rag.answering.choose_ack import hollow_last, only_acknowledges  # noqa: E402
from rag.answering.gate import GateSettings, also_cite, passes, strength  # noqa: E402
from rag.evaluation import metrics as m  # noqa: E402

TARGETS = {"citation_precision": 0.85, "citation_recall": 0.90, "must_mention_recall": 0.70,
           "refusal_recall": 0.85}  # fmt: skip
MAX_FALSE_REFUSALS = 0.05
MAX_MEDIAN_WORDS = 60
ACKNOWLEDGEMENTS = True  # the hollow-answer rule of choose_ack.py (--no-acknowledgements: off)
STRENGTH_ORDER = False  # passing hits re-sorted by strength, the earlier rule (--strength-order)
NUMBER_FIRST = True  # choose.number_first (--no-number-first: the rule before it)
MONEY = True  # asks.can_answer, money and measures (--no-money: the rule before it)
# choose.number_first's margin for the unit whose closest number sentence is closer
# (--number-margin X; --no-number-close: only a first unit without a number gives way)
NUMBER_MARGIN: float | None = choose_module.NUMBER_MARGIN


def replay(item: dict, gate: GateSettings, choice: ChoiceSettings, shift=None) -> dict:  # noqa: ANN001
    """What the pipeline would answer: refused, citation matches, the quoted text (shift:
    item, hit -> what a relative gate adds to the strength the hit needs; --relative)."""

    def power(h: dict) -> float:
        return strength(h["coverage"], h["dense"], h["question"], gate)

    def needed(h: dict) -> GateSettings:
        return gate if shift is None else replace(gate, threshold=gate.threshold + shift(item, h))

    lang = item.get("lang", "nl")
    ok = [h for h in item["hits"]
          if passes(h["coverage"], h["dense"], h["question"], needed(h), lang)]  # fmt: skip
    if STRENGTH_ORDER:  # else the retriever's order, as the pipeline quotes them
        ok.sort(key=lambda h: -power(h))
    question = item["question"]
    if MONEY:  # an amount of money or a measure asked: only a unit that speaks of it
        ok = can_answer(ok, lambda h: h["sentences"], question)
    if NUMBER_FIRST:  # a unit with a number first when the question asks for one
        close = None if NUMBER_MARGIN is None else _close
        margin = NUMBER_MARGIN or 0.0
        ok = number_first(ok, lambda h: h["sentences"], question, close, margin)
    if ACKNOWLEDGEMENTS:  # a hollow answer last, never cited beside the first (choose_ack.py)
        ok = hollow_last(ok, lambda h: h["sentences"], question)
    if not ok:
        return {"refused": True, "cited": [], "text": ""}
    top = _unit(ok[0])
    chosen = [ok[0]] + [
        h for h in ok[1:]
        if not (ACKNOWLEDGEMENTS and only_acknowledges(h["sentences"], question))
        and (also_cite(top, _unit(h), (power(ok[0]), power(h)), _best, gate)
             or h["unit_id"] == item.get("beside"))  # calibration_first.py --keep
    ]  # fmt: skip
    seen, cited, texts = set(), [], []
    for h in chosen[:3]:
        if h["quote_unit"] in seen:
            continue
        seen.add(h["quote_unit"])
        notes = h.get("notes", {})
        keep = pick(h["sentences"], np.array(h["cosine"]), np.array(h["lexical"]),
                    item["question"], choice, frozenset(int(p) for p in notes))  # fmt: skip
        if keep:
            cited.append(h["match"])
            texts.append(" ".join(h["sentences"][i] for i in keep))
            texts += [notes[str(i)] for i in keep if str(i) in notes]  # footnotes of the quote
    return {"refused": not cited, "cited": cited, "text": " ".join(texts)}


def _close(h: dict, texts: list[str]) -> list[float]:
    """The cosines of some of the hit's sentences with the question (choose.number_first)."""
    return [h["cosine"][h["sentences"].index(text)] for text in texts]


def _unit(h: dict) -> SimpleNamespace:
    """What gate.also_cite reads of a unit (features of an older run: vraag None = paragraph)."""
    kind = h.get("kind") or ("paragraph" if h["vraag"] is None else "qa")
    best = max(h["cosine"], default=0.0)
    return SimpleNamespace(kind=kind, doc=h.get("quote_doc", h["doc"]), best=best)


def _best(unit: SimpleNamespace) -> float:
    return unit.best


def figures(items: list[dict], gate: GateSettings, choice: ChoiceSettings, shift=None) -> dict:  # noqa: ANN001
    """The quote-mode figures of rag eval, and the answer length in words."""
    out = [(i, replay(i, gate, choice, shift)) for i in items]
    return summary(out)


def background(kind: str, gate: GateSettings):  # noqa: ANN201
    """item, hit -> the evidence a relative gate reads the hit against: "hits" / "next", the
    mean / the highest strength of the other top-5 hits (flat evidence); "vraag" / "units",
    the question's mean cosine with all Vraag vectors / all units of the corpus."""

    def of(item: dict, h: dict) -> float:
        if kind in ("vraag", "units"):
            return item["background"][kind]  # calibration_features.py
        rest = [strength(o["coverage"], o["dense"], o["question"], gate)
                for o in item["hits"] if o is not h and o["dense"] is not None]  # fmt: skip
        if not rest:
            return 0.0
        return float(np.mean(rest)) if kind == "hits" else max(rest)

    return of


def relative(
    fold_a: list[dict], parts: list[tuple[str, list[dict]]], choice: ChoiceSettings
) -> None:
    """The shipped gate against relative ones, each chosen on fold A: a hit passes when
    strength - w * background >= t (background: see background()); w and t by score()."""
    base = GateSettings()
    results = [("absolute (shipped)", base, None)]
    for kind, w in itertools.product(("hits", "next", "vraag", "units"), (-0.25, 0.25, 0.5, 1.0)):
        of = background(kind, base)
        middle = statistics.median(of(i, i["hits"][0]) for i in fold_a)

        def shift(item: dict, h: dict, of=of, w=w, middle=middle) -> float:  # noqa: ANN001
            return w * (of(item, h) - middle)

        around = np.arange(base.threshold - 0.06, base.threshold + 0.06, 0.0025)
        gates = [replace(base, threshold=round(float(t), 4)) for t in around]
        best = max(gates, key=lambda g: score(figures(fold_a, g, choice, shift)))
        results.append((f"{kind} w={w} (t={best.threshold} at the fold-A median)", best, shift))
    for name, gate, shift in results:
        for fold, part in parts:
            print(name, fold, rounded(figures(part, gate, choice, shift)))
    won = max(results, key=lambda r: score(figures(fold_a, r[1], choice, r[2])))
    print("chosen on fold A:", won[0])


def summary(out: list[tuple[dict, dict]]) -> dict:
    """Figures of replayed answers."""
    ok = [(i, r) for i, r in out if i["answerable"]]
    answered = [(i, r) for i, r in ok if not r["refused"]]
    mention = [
        0.0 if r["refused"] else m.mention_share(m.groups_satisfied(r["text"], i["must_mention"]))
        for i, r in ok if i["must_mention"]
    ]  # fmt: skip
    words = [len(r["text"].split()) for _, r in answered]
    return {
        "citation_precision": m.citation_precision([r["cited"] for _, r in answered]),
        "citation_recall": m.citation_recall([r["cited"] for _, r in answered]),
        "must_mention_recall": m.mean(mention),
        "refusal_recall": m.rate([r["refused"] for i, r in out if not i["answerable"]]),
        "false_refusal_rate": m.rate([r["refused"] for _, r in ok]),
        "words_p50": statistics.median(words) if words else None,
        "words_p90": m.percentile(words, 90),
    }


def meets(f: dict) -> bool:
    """All targets met."""
    good = all((f[k] or 0) >= v for k, v in TARGETS.items())
    return good and (f["false_refusal_rate"] or 0) <= MAX_FALSE_REFUSALS


def gates():  # noqa: ANN201
    """Every gate tried (a second source only when its strength is at least the first's)."""
    for wc, wq, cov in itertools.product((0.05, 0.1, 0.3), (0.0, 0.5, 1.0), (0.0, 0.2, 0.3)):
        for t in np.arange(0.84, 1.0 + 0.3, 0.005):
            for other in (0.0, 0.01, 0.02, 0.03, 0.04, 0.05):
                yield GateSettings(round(float(t) * (1 + wq), 4), cov, wc, wq, 0.3, other, 1.0)


def choices():  # noqa: ANN201
    """Every sentence-choice setting tried."""
    for budget, lw, margin, in_order in itertools.product(
        (40, 60, 80, 100), (0.0, 0.1, 0.35, 1.0), (0.02, 0.05, 0.1), (True, False)
    ):
        yield ChoiceSettings(budget, lw, 0.05, 0.05, margin, in_order)


def replay_before(item: dict) -> dict:
    """The rules before this change: coverage >= 0.3 on any hit, the first hit by rank quoted
    with its 3 lexically best sentences, the second when its coverage is as high (1 sentence)."""
    hits = item["hits"]
    if not any(h["coverage"] >= 0.3 for h in hits):
        return {"refused": True, "cited": [], "text": ""}
    chosen = [(hits[0], 3)] + [(h, 1) for h in hits[1:2] if h["coverage"] >= hits[0]["coverage"]]
    cited, texts = [], []
    for h, n in chosen:
        usable = [i for i, t in enumerate(h["sentences"]) if len(t) > 3]
        top = sorted(usable, key=lambda i: (-h["lexical"][i], i))[:n]
        if top and h["lexical"][top[0]] == 0:
            top = usable[:n]
        if top:
            cited.append(h["match"])
            texts.append(" ".join(h["sentences"][i] for i in sorted(top)))
    return {"refused": not cited, "cited": cited, "text": " ".join(texts)}


def score(f: dict) -> tuple:
    """Rank settings: the targets met first, then the sum of the shortfalls, then
    must-mention recall, then shorter answers."""
    short = sum(max(0.0, v - (f[k] or 0)) for k, v in TARGETS.items())
    short += max(0.0, (f["false_refusal_rate"] or 0) - MAX_FALSE_REFUSALS)
    return (meets(f), -round(short, 3), f["must_mention_recall"] or 0, -(f["words_p50"] or 0))


def second_score(f: dict) -> tuple:
    """score, then citation precision (the extra citations cost it)."""
    return (*score(f), f["citation_precision"] or 0)


def rounded(f: dict) -> dict:
    """Figures to 3 decimals."""
    return {k: round(v, 3) if v is not None else None for k, v in f.items()}


def main() -> None:
    global ACKNOWLEDGEMENTS, STRENGTH_ORDER, NUMBER_FIRST, MONEY, NUMBER_MARGIN
    STRENGTH_ORDER = "--strength-order" in sys.argv
    NUMBER_FIRST = "--no-number-first" not in sys.argv
    MONEY = "--no-money" not in sys.argv
    if "--number-margin" in sys.argv:
        NUMBER_MARGIN = float(sys.argv[sys.argv.index("--number-margin") + 1])
    if "--no-number-close" in sys.argv:
        NUMBER_MARGIN = None
    items = json.loads(Path(sys.argv[1]).read_text())
    if "--no-acknowledgements" in sys.argv:  # the rules before choose_ack.py, for the table
        ACKNOWLEDGEMENTS = False
        choose_module.acknowledgement = lambda sentence, question: False
    fold_a = [i for i in items if i["fold"] == "A"]
    fold_b = [i for i in items if i["fold"] == "B"]
    parts = [("A", fold_a), ("B", fold_b)]
    if "--relative" in sys.argv:  # relative gates against the shipped one, chosen on fold A
        if "--transfer" in sys.argv:  # the same chosen gates on other features (report only)
            other = sys.argv[sys.argv.index("--transfer") + 1]
            parts.append(("transfer", json.loads(Path(other).read_text())))
        relative(fold_a, parts, ChoiceSettings())
        return
    if "--shipped" in sys.argv:  # the settings the product ships, without a search
        for name, part in (("A", fold_a), ("B", fold_b), ("all", items)):
            f = figures(part, GateSettings(), ChoiceSettings())
            print(
                name, len(part), {k: round(v, 3) if v is not None else None for k, v in f.items()}
            )
        return
    first = ChoiceSettings()
    gate = max(gates(), key=lambda g: score(figures(fold_a, g, first)))
    # the most must-mention recall with a median quote of at most MAX_MEDIAN_WORDS words on
    # fold A: longer quotes always mention more, so length is held to what it was before
    tried = [(c, figures(fold_a, gate, c)) for c in choices()]
    short = [(c, f) for c, f in tried if (f["words_p50"] or 0) <= MAX_MEDIAN_WORDS]
    choice = max(short, key=lambda cf: cf[1]["must_mention_recall"] or 0)[0]
    # a further source (gate.also_cite): its share of the first's strength and how much closer
    # its best sentence must be; among equal scores on fold A the fewest extra citations
    # (the first tried), then the highest precision
    seconds = itertools.product((1.0, 0.995, 0.99, 0.985, 0.98, 0.97, 0.95), (0.02, 0.01, 0.0))
    tried = [replace(gate, second=x, sentence_margin=y) for x, y in seconds]
    if "--further" in sys.argv:  # every further-source setting tried, on both folds
        for g in tried:
            print(g.second, g.sentence_margin, *(rounded(figures(p, g, choice)) for _, p in parts))
    gate = max(tried, key=lambda g: second_score(figures(fold_a, g, choice)))
    print("chosen:", gate, choice)
    for name, part in (("A", fold_a), ("B", fold_b), ("all", items)):
        f = figures(part, gate, choice)
        print(name, len(part), {k: round(v, 3) if v is not None else None for k, v in f.items()})
    for name, part in (("A", fold_a), ("B", fold_b), ("all", items)):
        f = summary([(i, replay_before(i)) for i in part])
        print("before", name, {k: round(v, 3) if v is not None else None for k, v in f.items()})


if __name__ == "__main__":
    main()
