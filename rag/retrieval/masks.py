"""Filter masks computed once per distinct filter, not once per query.

A filter speaks of documents (key, kind, date); a unit passes when its document does. The
unit -> document row table is built once per index (read from the index when it stores
one, as a lazily loaded index does). Per filter the unit mask, the allowed passage rows and
a FAISS bitmap are cached, so a repeated filter costs nothing linear in the corpus.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rag.types import Filters

CACHED_FILTERS = 32


@dataclass(frozen=True)
class Selection:
    """What a filter allows: unit mask, passage rows (sorted), passage bitmap for FAISS."""

    units: np.ndarray  # bool per unit row
    passages: np.ndarray  # int64 passage rows allowed

    @cached_property
    def bitmap(self) -> np.ndarray:
        """FAISS IDSelectorBitmap bytes (bit i of byte i // 8, little-endian bit order)."""
        size = int(self.passages.max()) + 1 if len(self.passages) else 1
        bits = np.zeros(size, dtype=bool)
        bits[self.passages] = True
        return np.packbits(bits, bitorder="little")


class FilterMasks:
    """Unit masks for Filters over one index, cached per filter."""

    def __init__(self, index: object) -> None:
        self.index = index
        self._cache: OrderedDict[Filters, Selection] = OrderedDict()
        self._doc_of_unit: np.ndarray | None = None
        self._docs: list[str] = []

    def _table(self) -> np.ndarray:
        if self._doc_of_unit is None:
            table = getattr(self.index, "unit_doc_rows", None)
            self._docs = list(self.index.docs)  # type: ignore[attr-defined]
            if table is None:
                row = {doc: i for i, doc in enumerate(self._docs)}
                units = self.index.units.values()  # type: ignore[attr-defined]
                table = np.fromiter((row[u.doc] for u in units), dtype=np.int64)
            self._doc_of_unit = np.asarray(table)
        return self._doc_of_unit

    def _doc_mask(self, filters: Filters) -> np.ndarray:
        allows = getattr(self.index, "docs_allowed", None)  # vectorised, lazily loaded index
        if allows is not None:
            return np.asarray(allows(filters), dtype=bool)
        docs = self.index.docs  # type: ignore[attr-defined]
        return np.array([filters.allows(docs[d]) for d in self._docs], dtype=bool)

    def select(self, filters: Filters | None) -> Selection | None:
        """The cached selection of a filter (None: no filter, everything allowed)."""
        if filters is None or filters == Filters():
            return None
        if filters in self._cache:
            self._cache.move_to_end(filters)
            return self._cache[filters]
        table = self._table()
        units = self._doc_mask(filters)[table]
        passage_unit = self.index.passage_unit  # type: ignore[attr-defined]
        selection = Selection(units, np.flatnonzero(units[passage_unit]).astype(np.int64))
        self._cache[filters] = selection
        while len(self._cache) > CACHED_FILTERS:
            self._cache.popitem(last=False)
        return selection
