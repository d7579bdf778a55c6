"""The pairs of the support check's calibration set (eval/calibration_support.py), built from
the development gold: each reference-answer sentence against its gold unit (faithful), the
same against the most similar other unit (misattributed), and its perturbed copies against
the gold unit (number, kamerstuk, negation, name, appended), each with a rival unit for the
attribution check. The constructions are fixed, so the set does not move with the check.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.analysis.lang import detect  # noqa: E402
from rag.analysis.sentences import split_sentences  # noqa: E402
from rag.analysis.terms import Analyzer, fold  # noqa: E402
from rag.answering.cite import quotable_text  # noqa: E402
from rag.answering.support_facts import KENMERK, NAME, unit_facts  # noqa: E402
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


def perturb(sentence: str, names: list[str], neighbour: str, facts: str = "") -> dict[str, str]:
    """The perturbed copies of one sentence (a kind is missing when it does not apply); the
    swapped-in name is one the gold unit's facts lack (else the copy may be true of it)."""
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
    other = next((n for n in names if n not in sentence and not _named(n, facts)), None)
    if own and other:
        out["name"] = sentence.replace(own[0], other, 1)
    if neighbour:
        tail = neighbour[0].lower() + neighbour[1:]
        out["appended"] = sentence.rstrip(".") + " en " + tail
    return out


def _named(name: str, facts: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", facts, re.IGNORECASE) is not None


def overlap(sentence: str, source: str) -> float:
    """Share of the sentence's stems in the source (how the gold and the misattributed unit
    of a sentence are picked; fixed, so the set does not move with the check)."""
    mine = set(ANALYZER.tokens(sentence))
    return len(mine & set(ANALYZER.tokens(source))) / len(mine) if mine else 0.0


def neighbour(items: list, k: int, units: list, any_unit: bool = False) -> str:
    """The first claim of the next item whose answer stands in none of this item's gold
    units (a claim the gold unit does not make); any_unit: of the next item, whatever its
    units (the construction before 2026-12-02, when 3 appended "negatives" of fold A and B
    were claims of the same unit)."""
    own = {u.unit_id for u in units if items[k].matches(u.doc, u.vraag)}
    for step in range(1, len(items)):
        other = items[(k + step) % len(items)]
        if any_unit or not own & {u.unit_id for u in units if other.matches(u.doc, u.vraag)}:
            return split_sentences(other.reference_answer)[0]
    return ""


def build(
    gold_path: str,
    any_neighbour: bool = False,
    any_name: bool = False,
    corpus: Path | None = None,
    fold_name: str | None = None,
) -> tuple[list[dict], frozenset[str], dict]:
    """The calibration pairs (id, fold, kind, sentence, unit, question), the corpus's
    words (what the garbled-word check accepts) and the documents' headers. corpus: the
    documents of the gold (default: the shipped corpus); fold_name: one fold name for every
    pair (the unseen PDFs are "P"), else A or B by id."""
    found = sorted((corpus or REPO / "corpus").glob("*"))
    docs = {p.stem: parse_file(p) for p in found if p.suffix.lower() in (".txt", ".pdf")}
    if not docs:
        raise SystemExit(f"{corpus}: no .txt or .pdf documents; give the gold's documents folder")
    units = [u for d in docs.values() for u in d.units]
    items = [i for i in load_gold(gold_path) if i.answerable and i.reference_answer]
    names = sorted({n for i in items for n in NAME.findall(i.reference_answer)})
    pairs = []
    for k, item in enumerate(items):
        gold = [u for u in units if item.matches(u.doc, u.vraag)]
        if not gold:
            continue
        claim = neighbour(items, k, units, any_neighbour)
        for j, sentence in enumerate(split_sentences(item.reference_answer)):
            unit = max(gold, key=lambda u: overlap(sentence, quotable_text(u)))
            other = max(
                (u for u in units if not item.matches(u.doc, u.vraag)),
                key=lambda u: overlap(sentence, quotable_text(u)),
            )
            base = {"id": f"{item.id}.{j}", "fold": fold_name or fold_of(item.id),
                    "question": item.question}  # fmt: skip
            # rival: the other source of the prompt the attribution check compares with
            pairs.append({**base, "kind": "faithful", "sentence": sentence, "unit": unit,
                          "rival": other})  # fmt: skip
            pairs.append({**base, "kind": "misattributed", "sentence": sentence, "unit": other,
                          "rival": unit})  # fmt: skip
            facts = "" if any_name else unit_facts(unit, docs[unit.doc].meta)
            for kind, text in perturb(sentence, names, claim, facts).items():
                pairs.append({**base, "kind": kind, "sentence": text, "unit": unit, "rival": other})
    vocabulary = frozenset(w for u in units for w in re.findall(r"\w{6,}", fold(u.text)))
    return pairs, vocabulary, {d.meta.doc: d.meta for d in docs.values()}
