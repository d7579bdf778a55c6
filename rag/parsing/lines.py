"""What a line is inside a paragraph: a list item, a table row, or the end of a heading.

List items keep their marker and start on a line of their own: a bullet (``•``) always, a
dash (``– ``) or a number (``1. ``) only after a line ending in a colon or inside a list, so a
dash clause (``zich\\n– voornamelijk in EU-verband –``) stays prose. Table rows carry their
cells separated by tabs (see ``pdf_layout``) and stay one row a line. In flowing PDF text, a
heading ("2. Specifieke adviezen ... comorbiditeit") has no full stop: it ends where the next
line starts a sentence although its first word would have fit on the heading's line.
"""

from __future__ import annotations

import re

BULLETS = "•●▪◦‣"
_BULLET = re.compile(rf"^\s*[{BULLETS}]\s*\S")
_DASH = re.compile(r"^\s*[-–—]\s+\S")
_NUMBER = re.compile(r"^\s*\d{1,2}[.)]\s+\S")
_SENTENCE_END = ".?!:;"
_OPENS_SENTENCE = re.compile(r"^[«“‘\"(]?[A-ZÀ-Þ]")


def item_kind(text: str) -> str | None:
    """ "bullet", "dash" or "number" when the line starts like a list item."""
    if _BULLET.match(text):
        return "bullet"
    if _DASH.match(text):
        return "dash"
    if _NUMBER.match(text):
        return "number"
    return None


def starts_item(before: str, text: str, in_list: bool) -> bool:
    """Does ``text`` open a list item, given the text ``before`` it in the paragraph?"""
    kind = item_kind(text)
    if kind is None:
        return False
    if kind == "bullet" or in_list:
        return True
    end = before.rstrip()[-1:]
    return end == ":" or (kind == "number" and end in ".?!")


def is_row(text: str) -> bool:
    """A table row: cells separated by tabs."""
    return "\t" in text.strip()


def line_break(before: str, text: str, in_list: bool) -> bool:
    """Must ``text`` start on a new line (a list item, a table row, or after one)?"""
    return is_row(text) or is_row(before.rsplit("\n", 1)[-1]) or starts_item(before, text, in_list)


def ends_heading(text: str, nxt: str, room: float) -> bool:
    """In flowing text: does the line ``text`` end a heading or caption without a full stop?

    The next line opens a sentence with a word that would have fitted on this line: the
    line and that word take at most ``room`` characters.
    """
    t, n = text.strip(), nxt.strip()
    if not t or not n or t[-1] in _SENTENCE_END + ",-–" or not _OPENS_SENTENCE.match(n):
        return False
    return len(t) + 1 + len(n.split()[0]) <= room
