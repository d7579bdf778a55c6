"""The scaffolding of a Dutch parliamentary question, taken out of what retrieval reads.

A member's written question (Kamervraag) wraps its topic in fixed formulas addressed to the
minister: "Bent u bekend met het bericht «...»?", "Kunt u aangeven ...", "Deelt u de mening
dat ...", "Zo ja, ...? Zo nee, waarom niet?". They say how to answer, not what about, and
they are the same in every question, so they pull a long question towards answers that
repeat them and away from its topic. The list below is those formulas as the Aanhangsel der
Handelingen writes them; each needs the minister addressed as "u" (or a conditional
follow-up), so a user's own short question ("Deelt het kabinet de zorg ...?") is left as
it is. Nothing here is chosen on a data set; eval/RESULTS.md measures its effect.
"""

from __future__ import annotations

import re

_VERBS_KUNT_U = (
    "aangeven|toelichten|nader toelichten|uitleggen|verklaren|bevestigen|uiteenzetten|"
    "motiveren|onderbouwen|specificeren|verduidelijken|beschrijven|schetsen|"
    "een overzicht geven van|inzicht geven in|ingaan op|reflecteren op|"
    "de kamer informeren over|laten weten"
)
_VIEWS = "reactie|oordeel|opvatting|mening|appreciatie|visie|standpunt|analyse|inschatting"
_MEDIA = r"(?:(?:nieuws)?bericht(?:en|geving)?|artikel(?:en)?|uitzending|publicatie)"
# the formulas, tried left to right at each position; all case-insensitive
_FORMULAS = (
    # "Zo ja, ...", "Zo nee, waarom niet?", "Indien niet, waarom niet?"
    r"\b(?:zo|indien|als) (?:ja|nee|neen|niet)\b,?(?:\s*(?:waarom|hoe|wanneer|welke|wat)"
    r"(?: (?:wel|niet|dan|precies))?\s*\?)?",
    r"\bwaarom (?:wel|niet)\s*\?",
    # awareness: "Bent u bekend met het bericht", "Kent u het artikel", "Heeft u kennisgenomen van"
    rf"\b(?:bent|is) u (?:bekend|op de hoogte) (?:met|van) (?:het |de |dit |deze )?{_MEDIA}?",
    rf"\bkent u (?:het |de |dit |deze )?{_MEDIA}?",
    rf"\bheeft u kennis\s*genomen van (?:het |de |dit |deze )?{_MEDIA}?",
    # requests: "Kunt u aangeven", "Wilt u toelichten", "Bent u bereid"
    rf"\b(?:kunt|wilt|zou) u(?: (?:ons|de kamer|nader|nogmaals|daarbij|ook|precies))*"
    rf" (?:{_VERBS_KUNT_U})\b",
    r"\bbent u (?:het )?(?:bereid|voornemens|van plan|van mening)\b(?: (?:om|dat))?",
    # opinions: "Deelt u de mening dat", "Wat is uw reactie op", "Hoe beoordeelt u"
    rf"\bdeelt u (?:de|het|die|deze) (?:{_VIEWS}|zorgen?|conclusies?)(?: (?:dat|van))?",
    rf"\bwat (?:is|zijn) uw (?:{_VIEWS}|reacties)(?: (?:op|over|van|ten aanzien van))?"
    rf"(?: (?:het|dit|deze|de))?(?: {_MEDIA})?",
    r"\bhoe (?:beoordeelt|waardeert|duidt|reageert|kijkt) u(?: (?:er|op|naar|aan|tegen|tegenaan))*",
    r"\bwat vindt u (?:ervan|daarvan|van)?",
    r"\bbent u het (?:eens|oneens) met\b",
    r"\b(?:klopt het|is het waar|erkent u|onderschrijft u|herkent u)(?: (?:bericht|beeld))?"
    r" dat\b",
    # "Kunt u deze vragen één voor één beantwoorden?" (a request about the answer itself)
    r"\bkunt u deze vragen[^.?!]*beantwoorden\s*\??",
    r"\[\s*\d{1,3}\s*\]",  # footnote markers "[1 ]"
)
# a space in a formula stands for any white space: PDF text breaks lines inside them
_PATTERN = re.compile("|".join(f"(?:{p})" for p in _FORMULAS).replace(" ", r"\s+"), re.I)
_SPACES = re.compile(r"[ \t]{2,}")
_EMPTY_SENTENCE = re.compile(r"(?m)^[\s,.;:?!]+$")


def strip_scaffold(text: str) -> str:
    """The question without its Kamervraag formulas (the text itself when nothing is left)."""
    stripped = _PATTERN.sub(" ", text)
    stripped = _EMPTY_SENTENCE.sub("", _SPACES.sub(" ", stripped)).strip()
    return stripped if re.search(r"\w\w", stripped) else text
