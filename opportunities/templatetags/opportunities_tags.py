"""Labels of the shared vocabularies for templates: skills, ISCO-08 groups, readiness bands."""

from django import template

from opportunities import ateco, occupations, skills
from opportunities.choices import ReadinessBand

register = template.Library()


@register.filter
def skill(code: str) -> str:
    return skills.label(code)


@register.filter
def isco(code: str) -> str:
    return occupations.label(code)


@register.filter
def readiness(code: str) -> str:
    return ReadinessBand(code).label if code in ReadinessBand.values else code


@register.filter
def ateco_division(code: str) -> str:
    entry = ateco.entries().get(code)
    return str(entry) if entry else code
