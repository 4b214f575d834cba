"""ISCO-08 occupation groups, shared with the assessments app (assessments/data/isco08_*.yaml)."""

import functools

from assessments.definitions import label as text_in
from assessments.definitions import load_option_list
from core.i18n import current_language


@functools.cache
def _groups() -> dict[str, dict]:
    """Major (1-digit) and sub-major (2-digit) groups by code."""
    found = {row["code"]: row for row in load_option_list("isco08_major")}
    found |= {row["code"]: row for row in load_option_list("isco08_sub_major")}
    return found


def is_valid(code: str) -> bool:
    """A 1- or 2-digit group of the lists, or a 3- or 4-digit code inside a listed sub-major group."""
    code = (code or "").strip()
    if not code.isdigit() or not 1 <= len(code) <= 4:
        return False
    return code in _groups() if len(code) <= 2 else code[:2] in _groups()


def label(code: str) -> str:
    """ "93 – Labourers in mining, ..." in the active language; the finer codes by their sub-major group's title."""
    if not code:
        return ""
    row = _groups().get(code) or _groups().get(code[:2])
    return f"{code} – {text_in(row['label'], current_language())}" if row else code


def sub_major_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Sub-major groups grouped by major group, labels in the active language (call at request time)."""
    lang = current_language()
    majors = {row["code"]: text_in(row["label"], lang) for row in load_option_list("isco08_major")}
    grouped: dict[str, list[tuple[str, str]]] = {}
    for row in load_option_list("isco08_sub_major"):
        grouped.setdefault(row["group"], []).append((row["code"], f"{row['code']} – {text_in(row['label'], lang)}"))
    return [(f"{major} – {majors.get(major, major)}", options) for major, options in grouped.items()]
