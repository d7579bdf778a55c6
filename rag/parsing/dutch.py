"""Dutch words the parser reads: month names and number lists ("3, 4 en 5", "3 t/m 5").

The one home of both: metadata dates, footnote-marker rules, question headings and
reference lists all use these, and so can the rest of the code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
MONTHS = {name: i for i, name in enumerate(MONTH_NAMES, start=1)}
MONTH_PATTERN = "|".join(MONTH_NAMES)  # for regular expressions: (?:januari|februari|...)

_RANGE = r"t/m|tot en met|-|–"
# A written list of question numbers, for regular expressions: "3, 4 en 5", "3 t/m 5", "20 & 21"
NUMBER_LIST = rf"\d{{1,3}}(?:\s*(?:,|en|&|{_RANGE})?\s*\d{{1,3}})*"
_ITEM = re.compile(rf"({_RANGE})?\s*(\d+)")
_MAX_RANGE = 50  # "3 t/m 5" is a range; "5-300" is two numbers, not 296


def parse_numbers(text: str) -> tuple[int, ...]:
    """ "3, 4 en 5" -> (3, 4, 5); "3 t/m 5", "3 tot en met 5", "3-5" -> (3, 4, 5).

    Separators other than a range word are ignored, so a missing comma ("7, 8, 9 10 en 11")
    or "&" still gives every number; repeats are dropped.
    """
    out: list[int] = []
    for m in _ITEM.finditer(text):
        n = int(m[2])
        if m[1] and out and 0 < n - out[-1] <= _MAX_RANGE:
            out.extend(k for k in range(out[-1] + 1, n + 1) if k not in out)
        elif n not in out:
            out.append(n)
    return tuple(out)


def numbers_text(numbers: Sequence[int]) -> str:
    """(20, 21) -> "20 en 21"; (47, 48, 49, 50) -> "47, 48, 49 en 50"."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]
