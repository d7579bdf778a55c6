"""Question language, nl or en, from function words (small and deterministic)."""

from __future__ import annotations

import re

_NL_TEXT = (
    "de het een en van in is op dat die niet geen met voor zijn er wat wie welke hoe waarom "
    "heeft hebben kan kunnen wordt worden ook nog bij aan naar over door dit deze u uw we wij "
    "zij ze als of om tot dan maar"
)
NL = frozenset(_NL_TEXT.split())
_EN_TEXT = (
    "the a an and of in is on that this not no with for are there what who which how why "
    "has have can could does do did was were be been by to from about it its as or but "
    "they we you your government dutch"
)
EN = frozenset(_EN_TEXT.split())
WORD = re.compile(r"[a-zA-Z']+")


def detect(text: str, default: str = "nl") -> str:
    """'en' when English function words outnumber Dutch ones, 'nl' when Dutch ones outnumber
    English ones, else the default ("Since 1 January 2022.": as many of either)."""
    words = [w.lower() for w in WORD.findall(text)]
    nl = sum(w in NL for w in words)
    en = sum(w in EN for w in words)
    return "en" if en > nl else "nl" if nl > en else default
