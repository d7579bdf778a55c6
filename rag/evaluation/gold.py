"""The gold file: one JSON object per line, each a question with where its answer lives.

Format (the harness accepts exactly these keys):

    {"id": "d01", "question": "...", "lang": "nl", "answerable": true,
     "gold": [{"doc": "001_f07640d600ade888", "vraag": [8]}],
     "must_mention": [["BGI"], ["testkit", "test kits"]], "reference_answer": "..."}

A retrieved unit matches a gold entry when its doc is equal and (vraag is null, or its
question numbers intersect vraag); several gold entries: any one counts. Unanswerable items
have "answerable": false and empty gold and must_mention.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import RagError

KEYS = ("id", "question", "lang", "answerable", "gold", "must_mention", "reference_answer")
LANGS = ("nl", "en")


@dataclass(frozen=True)
class GoldRef:
    """Where an answer lives: a document, and its question numbers (None: any unit)."""

    doc: str
    vraag: tuple[int, ...] | None = None

    def matches(self, doc: str, vraag: tuple[int, ...] | None) -> bool:
        """True when a unit of `doc` with question numbers `vraag` holds this answer."""
        if doc != self.doc:
            return False
        return self.vraag is None or bool(set(self.vraag) & set(vraag or ()))


@dataclass(frozen=True)
class GoldItem:
    """One evaluation question with its gold sources and the facts an answer must name."""

    id: str
    question: str
    lang: str
    answerable: bool
    gold: tuple[GoldRef, ...]
    must_mention: tuple[tuple[str, ...], ...]
    reference_answer: str

    def matches(self, doc: str, vraag: tuple[int, ...] | None) -> bool:
        """True when a unit matches any one of the gold entries."""
        return any(ref.matches(doc, vraag) for ref in self.gold)

    @property
    def fold(self) -> str:
        """ "A" or "B", fixed by the id: settings are chosen on one fold, reported on the other."""
        return fold_of(self.id)


def fold_of(item_id: str) -> str:
    """The fold of a gold item: half the items, by the first byte of the id's sha256."""
    return "A" if hashlib.sha256(item_id.encode("utf-8")).digest()[0] % 2 == 0 else "B"


class _Invalid(ValueError):
    """A malformed line; the loader adds file and line number."""


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read and validate a gold JSONL file; blank lines are skipped."""
    p = Path(path)
    if not p.is_file():
        raise RagError(f"gold file {p} not found; pass an existing JSONL file with --gold")
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RagError(
            f"gold file {p} is not UTF-8 text (byte {exc.start}); pass a JSONL text file"
        ) from exc
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = parse_item(json.loads(line))
        except json.JSONDecodeError as exc:
            raise _error(p, n, f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
        except _Invalid as exc:
            raise _error(p, n, str(exc)) from exc
        if item.id in seen:
            raise _error(p, n, f"id {item.id!r} repeats line {seen[item.id]}; ids must be unique")
        seen[item.id] = n
        items.append(item)
    if not items:
        raise RagError(f"gold file {p} holds no items; add one JSON object per line")
    return items


def parse_item(obj: Any) -> GoldItem:
    """Validate one decoded line and turn it into a GoldItem (raises ValueError)."""
    if not isinstance(obj, dict):
        raise _Invalid("not a JSON object")
    missing = [k for k in KEYS if k not in obj]
    unknown = sorted(set(obj) - set(KEYS))
    if missing or unknown:
        what = f"missing keys {missing}" if missing else f"unknown keys {unknown}"
        raise _Invalid(f"{what}; each line needs exactly the keys {', '.join(KEYS)}")
    for key in ("id", "question", "reference_answer"):
        _expect(isinstance(obj[key], str), f'"{key}" must be a string')
    _expect(bool(obj["id"].strip()), '"id" must not be empty')
    _expect(bool(obj["question"].strip()), '"question" must not be empty')
    _expect(obj["lang"] in LANGS, f'"lang" must be one of {", ".join(LANGS)}')
    _expect(isinstance(obj["answerable"], bool), '"answerable" must be true or false')
    gold = _gold_refs(obj["gold"])
    groups = _groups(obj["must_mention"])
    if obj["answerable"]:
        _expect(bool(gold), 'an answerable item needs at least one "gold" entry')
    else:
        _expect(not gold and not groups, 'an unanswerable item has empty "gold" and "must_mention"')
    return GoldItem(
        id=obj["id"],
        question=obj["question"],
        lang=obj["lang"],
        answerable=obj["answerable"],
        gold=gold,
        must_mention=groups,
        reference_answer=obj["reference_answer"],
    )


def _gold_refs(value: Any) -> tuple[GoldRef, ...]:
    _expect(isinstance(value, list), '"gold" must be a list of {"doc": ..., "vraag": ...}')
    refs = []
    for entry in value:
        ok = isinstance(entry, dict) and set(entry) == {"doc", "vraag"}
        _expect(ok, 'each "gold" entry must be an object with exactly "doc" and "vraag"')
        _expect(isinstance(entry["doc"], str) and bool(entry["doc"]), '"doc" must be a file stem')
        vraag = entry["vraag"]
        if vraag is not None:
            ints = isinstance(vraag, list) and all(_is_int(v) for v in vraag)
            _expect(ints and bool(vraag), '"vraag" must be null or a non-empty list of integers')
            vraag = tuple(vraag)
        refs.append(GoldRef(doc=entry["doc"], vraag=vraag))
    return tuple(refs)


def _groups(value: Any) -> tuple[tuple[str, ...], ...]:
    msg = '"must_mention" must be a list of non-empty lists of non-empty strings'
    _expect(isinstance(value, list), msg)
    for group in value:
        ok = isinstance(group, list) and bool(group)
        _expect(ok and all(isinstance(s, str) and s.strip() for s in group), msg)
    return tuple(tuple(group) for group in value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise _Invalid(message)


def _error(path: Path, line: int, problem: str) -> RagError:
    return RagError(f"{path}, line {line}: {problem}; fix that line (format: see eval/README.md)")
