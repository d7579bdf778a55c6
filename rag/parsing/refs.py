"""Find parliamentary references in text and normalise them to canonical keys.

Canonical keys (the forms officielebekendmakingen.nl uses where it has one):

- Kamerstuk: ``kst-{dossier}-{nr}``, with a toevoeging or budget chapter between them:
  ``kst-32761-152``, ``kst-21501-02-2241``, ``kst-36410-XVI-12``.
- Kenmerk: ``kv-tk-{kenmerk}`` for both zaak numbers (``2021Z13647``) and document numbers
  (``2021D14200``); the letter Z or D inside the key tells them apart.
- Aanhangsel Handelingen: ``ah-tk-{year}{year+1}-{nr}``, e.g. ``ah-tk-20182019-3894``.

``Handelingen II 2019/20, nr. 47`` (a plenary report, not an Aanhangsel) is deliberately not a
reference kind here. Input may contain line breaks anywhere inside a reference.
"""

from __future__ import annotations

import re

from rag.parsing.dutch import parse_numbers
from rag.types import Ref

_S = r"[\s\u00a0]"  # any space, including a line break or a no-break space
_DOSSIER = rf"(?<![\d/–-])(?P<d1>\d{{2}}){_S}{{0,2}}(?P<d2>\d{{3}})(?![\d])"
_TOEV = rf"(?:-(?P<t1>\d{{1,3}}|[A-Z]{{1,5}})\b|{_S}(?P<t2>[IVXLC]{{1,6}}|[A-Z])(?=,?{_S}*nrs?\b))?"
# A number in a list must not be the start of the next dossier number ("en 27 879 nr. 75").
_NUM = rf"\d+(?!\d)(?!{_S}\d{{3}}\b)(?!-\d)"
_LIST = rf"(?P<nrs>{_NUM}(?:{_S}*(?:,|en|t/m|&){_S}*(?:nrs?\.?{_S}*)?{_NUM})*)"
_NR = rf",?{_S}*(?:nrs?|Nrs?)\.?{_S}*"

KAMERSTUK = re.compile(_DOSSIER + _TOEV + _NR + _LIST)
# "(36 471-64)" and "Kamerstuk 36 471-64": dossier and ondernummer joined by a hyphen.
KAMERSTUK_HYPHEN = re.compile(
    rf"(?:(?<=\()|(?<=Kamerstuk{_S})|(?<=Kamerstukken{_S}))"
    rf"(?P<d1>\d{{2}}){_S}?(?P<d2>\d{{3}})-(?P<nr>[1-9]\d{{0,3}})(?![\d\w-])(?!,?{_S}*nrs?\b)"
)
KENMERK = re.compile(r"(?<![\w])(?P<k>(?:19|20)\d{2}[ZD]\d{5})(?!\d)")
AANHANGSEL = re.compile(
    rf"Aanhangsel{_S}+(?:van{_S}+de{_S}+)?Hande-?{_S}*lingen(?:{_S}+(?:II|ll|I|Il|lI))?,?{_S}*"
    rf"(?:vergaderjaar{_S}+)?(?P<y1>(?:19|20)\d{{2}}){_S}*[/–-]{_S}*(?P<y2>\d{{2}}(?:\d{{2}})?)"
    rf",?{_S}*(?:nrs?\.?{_S}*)?{_LIST}"
)
LITERAL = re.compile(
    r"\b(?P<key>kst-\d{5}(?:-[0-9A-Z]{1,6})?-\d+|ah-tk-\d{8}-\d+|kv-tk-(?:19|20)\d{2}[ZD]\d{5})\b"
)
_KEY_KST = re.compile(r"^kst-(\d{5})(?:-([0-9A-Z]{1,6}))?-(\d+)$")
_KEY_AH = re.compile(r"^ah-tk-(\d{4})(\d{4})-(\d+)$")
_KEY_KV = re.compile(r"^kv-tk-((?:19|20)\d{2}([ZD])\d{5})$")


def kamerstuk_key(dossier: str, nr: str | int, toevoeging: str | None = None) -> str:
    """Canonical key of a Kamerstuk: ``kamerstuk_key("32 761", 152)`` -> ``kst-32761-152``."""
    digits = re.sub(r"\D", "", dossier)
    middle = f"-{toevoeging}" if toevoeging else ""
    return f"kst-{digits}{middle}-{int(nr)}"


def aanhangsel_key(year: int, nr: str | int) -> str:
    """Canonical key of an Aanhangsel answer for the parliamentary year starting in ``year``."""
    return f"ah-tk-{year}{year + 1}-{int(nr)}"


def kenmerk_key(kenmerk: str) -> str:
    """Canonical key of a kenmerk (zaak ``Z`` or document ``D`` number)."""
    return f"kv-tk-{kenmerk}"


def display(key: str) -> str:
    """The citation form of a canonical key: ``kst-32761-152`` -> ``Kamerstuk 32 761, nr. 152``."""
    if m := _KEY_KST.match(key):
        dossier, toev, nr = m.groups()
        head = f"{dossier[:2]} {dossier[2:]}"
        if toev:
            head += f"-{toev}" if toev.isdigit() else f" {toev}"
        return f"Kamerstuk {head}, nr. {nr}"
    if m := _KEY_AH.match(key):
        y1, y2, nr = m.groups()
        return f"Aanhangsel Handelingen II {y1}/{y2[2:]}, nr. {nr}"
    if m := _KEY_KV.match(key):
        kenmerk, letter = m.groups()
        return f"kenmerk {kenmerk}" if letter == "Z" else f"documentnummer {kenmerk}"
    raise ValueError(f"not a canonical reference key: {key!r}")


def kind_of(key: str) -> str:
    """The RefKind of a canonical key."""
    if key.startswith("kst-"):
        return "kamerstuk"
    if key.startswith("ah-tk-"):
        return "aanhangsel"
    if key.startswith("kv-tk-"):
        return "kenmerk"
    raise ValueError(f"not a canonical reference key: {key!r}")


def make_ref(key: str) -> Ref:
    """A Ref for a canonical key."""
    return Ref(key=key, display=display(key), kind=kind_of(key))


def find_refs(text: str) -> list[Ref]:
    """Every Kamerstuk, kenmerk and Aanhangsel reference in ``text``, in order, without repeats."""
    found: list[tuple[int, str]] = []
    for m in KAMERSTUK.finditer(text):
        toev = m["t1"] or m["t2"]
        dossier = m["d1"] + m["d2"]
        found += [(m.start(), kamerstuk_key(dossier, nr, toev)) for nr in _numbers(m["nrs"])]
    for m in KAMERSTUK_HYPHEN.finditer(text):
        found.append((m.start(), kamerstuk_key(m["d1"] + m["d2"], m["nr"])))
    for m in AANHANGSEL.finditer(text):
        year = int(m["y1"])
        if not _is_next_year(year, m["y2"]):
            continue
        found += [(m.start(), aanhangsel_key(year, nr)) for nr in _numbers(m["nrs"])]
    for m in KENMERK.finditer(text):
        found.append((m.start(), kenmerk_key(m["k"])))
    for m in LITERAL.finditer(text):
        found.append((m.start(), m["key"]))
    keys = dict.fromkeys(key for _, key in sorted(found, key=lambda item: item[0]))
    return [make_ref(key) for key in keys]


def find_keys(text: str) -> tuple[str, ...]:
    """The canonical keys of ``find_refs(text)``."""
    return tuple(ref.key for ref in find_refs(text))


def _numbers(listing: str) -> tuple[int, ...]:
    """``"8, 9 en 11"`` -> (8, 9, 11); ``"nr. 684 en 685"`` -> (684, 685)."""
    return parse_numbers(re.sub(r"\bnrs?\.?", " ", listing))


def _is_next_year(year: int, second: str) -> bool:
    """True when ``second`` ("19" or "2019") is the year after ``year``."""
    following = int(second) if len(second) == 4 else (year // 100) * 100 + int(second)
    return following == year + 1 or (len(second) == 2 and int(second) == (year + 1) % 100)
