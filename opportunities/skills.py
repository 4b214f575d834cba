"""The shared skills vocabulary, read once from data/skills.yaml (codes stable, labels in Italian and English).

Its eight transversal skills have the codes of the skills balance's items, so a work profile's levels can be
prefilled from a completed skills balance (`prefill_from_skills_balance`).
"""

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.utils.translation import gettext_lazy as _

from core.i18n import current_language

DATA_FILE = Path(__file__).resolve().parent / "data" / "skills.yaml"
MIN_LEVEL, MAX_LEVEL = 1, 5
# A required skill counts as held from "sufficient" up (the skills balance's level 3).
HELD_LEVEL = 3

GROUP_LABELS = {
    "transversal": _("Transversal skills"),
    "digital": _("Digital skills"),
    "language": _("Languages"),
    "service": _("Sales and customer service"),
    "food": _("Food service"),
    "logistics": _("Logistics"),
    "facilities": _("Cleaning and maintenance"),
    "production": _("Production"),
    "office": _("Office work"),
    "care": _("Care"),
    "crafts": _("Crafts"),
}


@dataclass(frozen=True)
class Skill:
    code: str
    group: str
    label_it: str
    label_en: str

    @property
    def label(self) -> str:
        return self.label_en if current_language() == "en" else self.label_it

    @property
    def is_transversal(self) -> bool:
        return self.group == "transversal"

    def __str__(self) -> str:
        return self.label


@functools.cache
def entries() -> dict[str, Skill]:
    """Every skill by code, in the file's order."""
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return {
        row["code"]: Skill(
            code=row["code"], group=row["group"], label_it=row["label"]["it"], label_en=row["label"]["en"]
        )
        for row in data["skills"]
    }


def codes() -> frozenset[str]:
    return frozenset(entries())


def label(code: str) -> str:
    """The skill's label in the active language; the code itself for an unknown one."""
    skill = entries().get(code)
    return skill.label if skill else code


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Skills grouped for a select or check boxes, labels in the active language (call at request time)."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for skill in entries().values():
        grouped.setdefault(skill.group, []).append((skill.code, skill.label))
    return [(str(GROUP_LABELS.get(group, group)), options) for group, options in grouped.items()]


def transversal_codes() -> tuple[str, ...]:
    return tuple(code for code, skill in entries().items() if skill.is_transversal)


def prefill_from_skills_balance(answers: dict) -> dict[str, int]:
    """The transversal skill levels of a skills balance's answers ({"ts_teamwork": "4", ...} → {"ts_teamwork": 4})."""
    levels = {}
    for code in transversal_codes():
        value = answers.get(code)
        try:
            level = int(value)
        except (TypeError, ValueError):
            continue
        if MIN_LEVEL <= level <= MAX_LEVEL:
            levels[code] = level
    return levels
