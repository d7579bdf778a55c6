"""Document metadata as the text states it: dates, members, ministers, subject, identifiers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.parsing.dutch import MONTH_PATTERN, MONTHS
from rag.parsing.refs import aanhangsel_key, kamerstuk_key, kenmerk_key
from rag.types import Person

_DATE = rf"(\d{{1,2}})\s+({MONTH_PATTERN})\s+(\d{{4}})"
_SENT = re.compile(rf"ingezonden\s+(?:op\s+)?{_DATE}", re.IGNORECASE)
_RECEIVED = re.compile(rf"ontvangen\s+(?:\(ontvangen\s+)?{_DATE}", re.IGNORECASE)
_PLACE_DATE = re.compile(rf"(?:Den Haag|'s-Gravenhage|’s-Gravenhage|Utrecht),\s+{_DATE}")
_MEMO_DATE = re.compile(r"^\s*(?:DATUM|Datum)\s*:?\s+(\d{1,2})-(\d{1,2})-(\d{4})", re.MULTILINE)
_KENMERK = re.compile(r"kenmerk\s+((?:19|20)\d{2}[ZD]\d{5})\b", re.IGNORECASE)
_MEMBERS = re.compile(
    r"[Vv]ragen\s+(?:van|(?:gesteld\s+)?door)\s+(?:het\s+lid|de\s+leden)\s+(?P<m>.+?)\s+"
    r"(?=aan\s+(?:de|het)\s|over\s)"
)
_SUBJECT = re.compile(
    r"[Vv]ragen\s+(?:van|gesteld\s+door)\s+(?:het\s+lid|de\s+leden)\s+.+?\s+over\s+"
    r"(?P<t>.+?)\s*(?:\(ingezonden|\.\s+Deze\s+vragen|\.?$)",
    re.DOTALL,
)
_HEADING_MINISTER = re.compile(
    r"(?P<title>Minister|Staatssecretaris)\s+(?P<name>[A-ZÀ-Þ][^()]*?)\s*\((?P<dept>[^()]+)\)"
)
_SIGN_ROLE = re.compile(
    r"^\s*De\s+(?P<title>minister|staatssecretaris)\s+(?P<prep>van|voor)\s+(?P<dept>.+)$",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
_NAME = re.compile(r"^[A-ZÀ-Þ][\w.’'` -]{1,50}$")
_AH_LITERAL = re.compile(r"\bah-tk-(\d{4})\d{4}-(\d+)\b")
_AH_HEADER = re.compile(
    r"Vergaderjaar\s+(\d{4})\s*[–-]\s*\d{4}\s+Aanhangsel van de Handelingen.*?^\s*(\d{1,5})\s*$",
    re.DOTALL | re.MULTILINE,
)
_DOSSIER_LINE = re.compile(r"^\s*(\d{2} \d{3}(?:-[0-9A-Z]+)?(?: [IVXLC]+)?)\s+(\S.*?)\s*$")
_NR_LINE = re.compile(r"^\s*Nr\.\s+(\d+)\b")
ABBREVIATIONS = {
    "BZ": "Buitenlandse Zaken", "BZK": "Binnenlandse Zaken en Koninkrijksrelaties",
    "OCW": "Onderwijs, Cultuur en Wetenschap", "VWS": "Volksgezondheid, Welzijn en Sport",
    "JenV": "Justitie en Veiligheid", "EZK": "Economische Zaken en Klimaat",
    "EZ": "Economische Zaken", "LNV": "Landbouw, Natuur en Voedselkwaliteit",
    "IenW": "Infrastructuur en Waterstaat", "SZW": "Sociale Zaken en Werkgelegenheid",
    "BHOS": "Buitenlandse Handel en Ontwikkelingssamenwerking", "Fin": "Financiën",
    "Def": "Defensie", "KGG": "Klimaat en Groene Groei",
}  # fmt: skip
# Portfolios of ministers without a ministry of their own: "minister voor ...".
VOOR = {
    "Buitenlandse Handel en Ontwikkelingssamenwerking", "Klimaat en Energie", "Rechtsbescherming",
    "Medische Zorg", "Medische Zorg en Sport", "Primair en Voortgezet Onderwijs",
    "Volkshuisvesting en Ruimtelijke Ordening", "Langdurige Zorg en Sport", "Natuur en Stikstof",
    "Armoedebeleid, Participatie en Pensioenen", "Migratie", "Basis- en Voortgezet Onderwijs",
}  # fmt: skip


def iso(day: str, month: str | int, year: str) -> str | None:
    """ISO date from day, month (number or Dutch name) and year; None when impossible."""
    m = MONTHS.get(str(month).lower()) if not str(month).isdigit() else int(month)
    d, y = int(day), int(year)
    if not m or not 1 <= d <= 31 or not 1900 <= y <= 2100:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def date_sent(text: str) -> str | None:
    """The date the questions were sent: ``(ingezonden 22 december 2020)``."""
    m = _SENT.search(text)
    return iso(*m.groups()) if m else None


def date_of(text: str) -> str | None:
    """The document's own date: answers received, a letter's date line, or a memo's DATUM."""
    for pattern in (_RECEIVED, _PLACE_DATE, _MEMO_DATE):
        if m := pattern.search(text):
            return iso(*m.groups())
    return None


def kenmerk(text: str) -> str | None:
    """The zaak or document number the text names as its kenmerk."""
    m = _KENMERK.search(text)
    return m.group(1) if m else None


def subject(text: str) -> str:
    """What the questions are about: the words after "over" in the heading sentence."""
    for para in text.split("\n\n"):
        if m := _SUBJECT.search(" ".join(para.split())):
            return m["t"].strip()
    return ""


def members(text: str) -> tuple[Person, ...]:
    """Members who asked: ``de leden Ceder (ChristenUnie) en Van der Staaij (SGP)``."""
    found: dict[str, Person] = {}
    for m in _MEMBERS.finditer(" ".join(text.split())):
        for person in parse_members(m["m"]):
            if person.party or person.name not in found:
                found[person.name] = person
    return tuple(found.values())


def parse_members(listing: str) -> tuple[Person, ...]:
    """ "Van Eijk en Aartsen (beiden VVD)" -> two VVD members."""
    listing = re.sub(r"\b(van|de|der|den|ter|ten)([A-Z])", r"\1 \2", listing)  # "vanDijk"
    people: list[Person] = []
    pos = 0
    for m in re.finditer(r"\(([^)]*)\)", listing):
        names = _split_names(listing[pos : m.start()])
        party = m.group(1).strip()
        both = re.match(r"(?:beiden|allen|alle drie)\s+", party)
        if both:
            party = party[both.end() :]
            people += [Person(name=n, party=party) for n in names]
            people = [p if p.party else Person(name=p.name, party=party) for p in people]
        else:
            people += [Person(name=n) for n in names[:-1]]
            people += [Person(name=n, party=party) for n in names[-1:]]
        pos = m.end()
    people += [Person(name=n) for n in _split_names(listing[pos:])]
    return tuple(people)


def _split_names(chunk: str) -> list[str]:
    chunk = re.sub(r"^(?:,|en\b)\s*", "", chunk.strip())
    parts = re.split(r"\s*,\s*|\s+en\s+", chunk.strip(" ,"))
    return [p.strip() for p in parts if p.strip() and p.strip() != "en"]


def heading_ministers(text: str) -> tuple[Person, ...]:
    """Who answered: ``Antwoord van Minister Dijkgraaf (Onderwijs, Cultuur en Wetenschap)``."""
    flat = " ".join(text.split())
    m = re.search(r"(?:Antwoord|Mededeling)\s+van\s+(.*?)(?:\(ontvangen|$)", flat)
    if not m:
        return ()
    people = []
    for p in _HEADING_MINISTER.finditer(m.group(1)):
        dept = ABBREVIATIONS.get(p["dept"].strip(), p["dept"].strip())
        people.append(Person(name=p["name"].strip(), role=role(p["title"], dept)))
    return tuple(people)


def role(title: str, dept: str) -> str:
    """ "Minister", "Buitenlandse Zaken" -> "minister van Buitenlandse Zaken"."""
    prep = "voor" if dept.split(" – ")[0] in VOOR else "van"
    return f"{title.lower()} {prep} {dept}"


def signatures(lines: Sequence[str]) -> tuple[Person, ...]:
    """Signing ministers: a role line ending in a comma, then the name on a later line."""
    texts = [_PLACEHOLDER.sub("", t).strip() for t in lines]
    people = []
    for i, text in enumerate(texts):
        m = _SIGN_ROLE.match(text)
        if not m:
            continue
        dept, j = m["dept"], i + 1
        if not dept.endswith(",") and j < len(texts) and texts[j].endswith(","):
            dept, j = f"{dept} {texts[j]}", j + 1
        if not dept.endswith(","):
            continue
        while j < len(texts) and not texts[j]:
            j += 1
        if j < len(texts) and _NAME.match(texts[j]) and len(texts[j].split()) <= 6:
            title = m["title"].lower()
            people.append(Person(name=texts[j], role=f"{title} {m['prep']} {dept[:-1].strip()}"))
    return tuple(people)


def aanhangsel(raw: str) -> str | None:
    """The document's own Aanhangsel key, from the footer key or the first-page header."""
    if m := _AH_LITERAL.search(raw):
        return aanhangsel_key(int(m.group(1)), m.group(2))
    if m := _AH_HEADER.search(raw):
        return aanhangsel_key(int(m.group(1)), m.group(2))
    return None


def kamerstuk_header(lines: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """Dossiers, their titles and the stuk number from a Kamerstuk's opening lines."""
    dossiers, titles = [], []
    for text in lines[:12]:
        if m := _NR_LINE.match(text):
            return tuple(dossiers), tuple(titles), m.group(1)
        if m := _DOSSIER_LINE.match(text):
            dossiers.append(m.group(1))
            titles.append(m.group(2))
    return (), (), None


def self_refs(
    ken: str | None, ah: str | None, dossiers: Sequence[str], nr: str | None
) -> tuple[str, ...]:
    """Keys identifying the document itself."""
    keys = [kamerstuk_key(d[:6], nr, _toev(d)) for d in dossiers if nr]
    keys += [kenmerk_key(ken)] if ken else []
    keys += [ah] if ah else []
    return tuple(dict.fromkeys(keys))


def _toev(dossier: str) -> str | None:
    m = re.search(r"-([0-9A-Z]+)$|\s([IVXLC]+)$", dossier)
    return (m.group(1) or m.group(2)) if m else None


def memo_subject(raw: str) -> str:
    """The ONDERWERP line of a memo."""
    m = re.search(r"^\s*(?:ONDERWERP|Onderwerp)\s*:?\s+(\S.*?)\s*$", raw, re.MULTILINE)
    return m.group(1) if m else ""


def first_line(text: str, limit: int = 200) -> str:
    """The first non-empty line, cut at ``limit`` characters."""
    line = next((t.strip() for t in text.splitlines() if t.strip()), "")
    return line[:limit]
