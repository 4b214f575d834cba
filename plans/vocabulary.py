"""The shared vocabulary of the joint evaluation's focus areas (seed 004's "Dizionario identikit"): validating and
loading plans/data/vocabulary.yaml, and searching the terms.

Loading is all or nothing and idempotent: a new entry creates a term, a changed one updates it, an unchanged one
changes nothing; a term no longer in the file is deleted unless a plan goal or an instrument item uses it, in which
case it is kept.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from plans.choices import GoalArea
from plans.models import Term

VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "vocabulary.yaml"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEYS = {"slug", "area", "name", "definition", "social_synonyms", "health_synonyms"}
_FIELDS = ("area", "name_it", "name_en", "definition_it", "definition_en", "social_synonyms", "health_synonyms")
_NAME_MAX = Term._meta.get_field("name_it").max_length
_SLUG_MAX = Term._meta.get_field("slug").max_length


class VocabularyError(Exception):
    """The vocabulary file has errors; `errors` names the entry of each one."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class LoadReport:
    """What a load did, per slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # removed from the file but used by a plan goal or an item


def _text(value, where: str, what: str, errors: list[str], max_length: int | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}: {what} must be a non-empty text")
        return ""
    value = " ".join(value.split())
    if max_length and len(value) > max_length:
        errors.append(f"{where}: {what} is longer than {max_length} characters")
    return value


def _bilingual(entry: dict, key: str, where: str, errors: list[str], max_length: int | None = None) -> tuple:
    value = entry.get(key)
    if not isinstance(value, dict) or set(value) != {"it", "en"}:
        errors.append(f"{where}: {key} must have exactly an 'it' and an 'en' text")
        return "", ""
    return tuple(_text(value[lang], where, f"{key}.{lang}", errors, max_length) for lang in ("it", "en"))


def _synonyms(entry: dict, key: str, where: str, errors: list[str]) -> list[str]:
    value = entry.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"{where}: {key} must be a list of texts")
        return []
    return [_text(item, where, f"{key} item", errors) for item in value]


def _entry(index: int, entry, errors: list[str]) -> dict | None:
    if not isinstance(entry, dict):
        errors.append(f"entry {index}: must be a mapping with slug, area, name, definition and synonyms")
        return None
    slug = entry.get("slug")
    where = f"entry {index} ({slug!r})" if slug else f"entry {index}"
    if not isinstance(slug, str) or not _SLUG.match(slug) or len(slug) > _SLUG_MAX:
        errors.append(f"{where}: slug must be lowercase letters, digits and hyphens, at most {_SLUG_MAX} characters")
    unknown = set(entry) - _KEYS
    if unknown:
        errors.append(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    area = entry.get("area") or ""
    if area not in GoalArea.values and area != "":
        errors.append(f"{where}: area {area!r} is not one of {', '.join(GoalArea.values)} (or empty)")
    name_it, name_en = _bilingual(entry, "name", where, errors, _NAME_MAX)
    definition_it, definition_en = _bilingual(entry, "definition", where, errors)
    return {
        "slug": slug,
        "area": area,
        "name_it": name_it,
        "name_en": name_en,
        "definition_it": definition_it,
        "definition_en": definition_en,
        "social_synonyms": _synonyms(entry, "social_synonyms", where, errors),
        "health_synonyms": _synonyms(entry, "health_synonyms", where, errors),
    }


def parse_vocabulary(path: Path | None = None) -> list[dict]:
    """The validated entries of the file, or VocabularyError listing every error with the entry it is in."""
    path = Path(path or VOCABULARY_FILE)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VocabularyError([f"{path.name}: cannot be read ({exc.strerror})"]) from exc
    except yaml.YAMLError as exc:
        raise VocabularyError([f"{path.name}: not valid YAML ({exc})"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list) or not data["terms"]:
        raise VocabularyError([f"{path.name}: must have a non-empty 'terms' list"])
    errors: list[str] = []
    entries, seen = [], {}
    for index, raw in enumerate(data["terms"], start=1):
        entry = _entry(index, raw, errors)
        if entry is None:
            continue
        slug = entry["slug"]
        if isinstance(slug, str) and slug in seen:
            errors.append(f"entry {index} ({slug!r}): slug is also used by entry {seen[slug]}")
        seen[slug] = index
        entries.append(entry)
    if errors:
        raise VocabularyError(errors)
    return entries


def load_vocabulary(path: Path | None = None) -> LoadReport:
    """Validate the whole file first, then create, update and remove terms in one transaction."""
    entries = parse_vocabulary(path)
    report = LoadReport()
    with transaction.atomic():
        existing = {term.slug: term for term in Term.objects.select_for_update()}
        for entry in entries:
            term = existing.pop(entry["slug"], None)
            values = {name: entry[name] for name in _FIELDS}
            if term is None:
                Term.objects.create(slug=entry["slug"], **values)
                report.created.append(entry["slug"])
            elif any(getattr(term, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(term, name, value)
                term.save()
                report.updated.append(term.slug)
            else:
                report.unchanged.append(term.slug)
        for slug, term in sorted(existing.items()):
            if term.goals.exists() or term.instrument_items.exists():
                report.kept.append(slug)
            else:
                term.delete()
                report.deleted.append(slug)
    return report


# ------------------------------------------------------------------------------------------------------- search


def fold(text: str) -> str:
    """Lowercase without accents, for matching "attivita" to "attività"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _haystack(term: Term) -> str:
    parts = [term.slug.replace("-", " "), term.name_it, term.name_en, term.definition_it, term.definition_en]
    return fold(" ".join(parts + list(term.social_synonyms) + list(term.health_synonyms)))


def search(terms, query: str) -> list[Term]:
    """The terms whose names, synonyms or definitions, in either language, contain every word of `query`
    (case- and accent-insensitive). The vocabulary is a few dozen rows: matching in Python is enough and works
    the same on PostgreSQL and SQLite."""
    words = fold(query).split()
    if not words:
        return list(terms)
    return [term for term in terms if all(word in _haystack(term) for word in words)]
