"""What the answer side reads of the indexed units, without reading them all.

A question needs a handful of units: the hits, the unit a Mededeling points to, the units
of a provincial letter (to name its province), the Vraag vectors of the hits. Over a small
index those are dictionaries built once; over a memory-mapped index of 10^5-10^6 units
(rag/index/lazy.py) every lookup goes to the index's sorted id table and reads one record,
so opening the answer side costs nothing per unit (docs/SCALE.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from rag.analysis.terms import fold
from rag.types import Unit

_LONG_WORD = re.compile(r"\w{6,}")


class _Rows:
    """unit id -> its row in the index (the BM25 and vector row), by the id table."""

    def __init__(self, records: Any) -> None:
        self.records = records

    def get(self, unit_id: str) -> int | None:
        return self.records.row_of(unit_id)


class _Questions:
    """unit id -> the vector of its Vraag (query role), the lookup table built on first use."""

    def __init__(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        self.ids, self.vectors = ids, vectors
        self._row: dict[str, int] | None = None

    def get(self, unit_id: str) -> np.ndarray | None:
        if self._row is None:
            self._row = {uid: i for i, uid in enumerate(self.ids)}
        row = self._row.get(unit_id)
        return None if row is None else np.asarray(self.vectors[row], dtype=np.float32)


class _Stems(Container[str]):
    """The corpus's words as its BM25 vocabulary knows them (a word whose stem it holds)."""

    def __init__(self, lexical: Any) -> None:
        self.lexical = lexical

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        stems = self.lexical.analyzer.tokens(word)
        return bool(stems) and all(len(self.lexical.rows_with(s)) for s in stems)


@dataclass(frozen=True)
class Corpus:
    """The answer side's view of the indexed units (see the module docstring)."""

    units: Mapping[str, Unit]
    rows: Any  # .get(unit id) -> row | None
    questions: Any  # .get(unit id) -> Vraag vector | None
    doc_units: Callable[[str], Iterable[Unit]]
    vocabulary: Callable[[], Container[str]]  # folded words that are not garbled copies

    @classmethod
    def of_units(
        cls, units: Sequence[Unit], questions: Mapping[str, np.ndarray] | None = None
    ) -> Corpus:
        """Units held in memory (a small index, tests, tools)."""
        by_id = {u.unit_id: u for u in units}
        rows = {u.unit_id: i for i, u in enumerate(units)}

        def vocabulary() -> Container[str]:
            return frozenset(chain(*(_LONG_WORD.findall(fold(u.text)) for u in units)))

        return cls(
            by_id, rows, dict(questions or {}),
            lambda doc: (u for u in units if u.doc == doc), vocabulary,
        )  # fmt: skip

    @classmethod
    def of_index(cls, index: Any) -> Corpus:
        """An index's units: in memory for a loaded index, looked up for a lazy one."""
        records = getattr(index.units, "records", None)
        if records is None:
            questions = dict(zip(index.question_ids, index.question_vectors, strict=True))
            return cls.of_units(list(index.units.values()), questions)

        def doc_units(doc: str) -> Iterable[Unit]:
            row = index.docs.records.row_of(doc)
            if row is None:
                return ()
            mine = np.flatnonzero(np.asarray(index.unit_doc_rows) == row)
            return (index.units.at(int(r)) for r in mine)

        return cls(
            index.units, _Rows(records), _Questions(index.question_ids, index.question_vectors),
            doc_units, lambda: _Stems(index.lexical),
        )  # fmt: skip
