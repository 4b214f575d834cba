"""Loading instrument files into the database: a changed file becomes a new version, an unchanged one nothing."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from assessments.definitions import DefinitionError, content_hash, iter_all_items, parse_file
from assessments.models import Instrument, InstrumentItem, InstrumentVersion

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"


@dataclass
class LoadReport:
    """What a load did, per instrument code."""

    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def load_instruments(directory: Path | None = None) -> LoadReport:
    """Validate every *.yaml in `directory` first (all or nothing), then add the versions that differ."""
    directory = Path(directory or INSTRUMENTS_DIR)
    files = sorted(directory.glob("*.yaml"))
    parsed, errors, codes = [], [], {}
    for path in files:
        try:
            definition = parse_file(path)
        except DefinitionError as exc:
            errors.extend(f"{path.name}: {message}" for message in exc.errors)
            continue
        if definition["code"] in codes:
            errors.append(f"{path.name}: code {definition['code']!r} is also used by {codes[definition['code']]}")
        codes[definition["code"]] = path.name
        parsed.append((path, definition))
    report = LoadReport()
    with transaction.atomic():
        terms = _terms()
        errors.extend(_term_errors(parsed, terms))
        if errors:
            raise DefinitionError(errors)
        for path, definition in parsed:
            digest = content_hash(definition)
            instrument, created = Instrument.objects.select_for_update().get_or_create(
                code=definition["code"],
                defaults={"title_it": definition["title"]["it"], "title_en": definition["title"]["en"]},
            )
            latest = instrument.versions.order_by("-number").first()
            if latest is not None and latest.content_hash == digest:
                report.unchanged.append(instrument.code)
                continue
            version = InstrumentVersion.objects.create(
                instrument=instrument,
                number=(latest.number + 1) if latest else 1,
                definition=definition,
                content_hash=digest,
                source_file=path.name,
            )
            _create_items(version, terms)
            if (instrument.title_it, instrument.title_en) != (definition["title"]["it"], definition["title"]["en"]):
                instrument.title_it, instrument.title_en = definition["title"]["it"], definition["title"]["en"]
                instrument.save(update_fields=["title_it", "title_en", "updated_at"])
            (report.created if created else report.new_versions).append(instrument.code)
    return report


def _terms() -> dict:
    """The shared vocabulary's terms by slug."""
    from plans.models import Term

    return {term.slug: term for term in Term.objects.only("pk", "slug")}


def _term_errors(parsed: list[tuple[Path, dict]], terms: dict) -> list[str]:
    """An error for each item that names a term the shared vocabulary does not have (or one error when the
    vocabulary is not loaded at all: load_vocabulary runs before load_instruments)."""
    named = [
        (path, where, item)
        for path, definition in parsed
        for where, item in iter_all_items(definition)
        if item.get("term")
    ]
    if not named:
        return []
    if not terms:
        files = ", ".join(sorted({path.name for path, _where, _item in named}))
        return [
            f"{files}: items name terms of the shared vocabulary, but the vocabulary is not loaded; "
            "run `manage.py load_vocabulary` before `manage.py load_instruments`"
        ]
    return [
        f"{path.name}: {where}.term (item {item['id']!r}): {item['term']!r} is not a term of the shared vocabulary "
        "(plans/data/vocabulary.yaml, loaded by `manage.py load_vocabulary`)"
        for path, where, item in named
        if item["term"] not in terms
    ]


def _create_items(version: InstrumentVersion, terms: dict) -> None:
    """The item rows of a new version, with the vocabulary term each one measures."""
    InstrumentItem.objects.bulk_create(
        InstrumentItem(
            version=version,
            item_id=item["id"],
            position=position,
            text_it=item["text"]["it"],
            text_en=item["text"]["en"],
            term=terms[item["term"]] if item.get("term") else None,
        )
        for position, (_where, item) in enumerate(iter_all_items(version.definition))
    )
