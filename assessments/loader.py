"""Loading instrument files into the database: a changed file becomes a new version, an unchanged one nothing."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from assessments.definitions import DefinitionError, content_hash, parse_file
from assessments.models import Instrument, InstrumentVersion

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
    if errors:
        raise DefinitionError(errors)
    report = LoadReport()
    with transaction.atomic():
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
            InstrumentVersion.objects.create(
                instrument=instrument,
                number=(latest.number + 1) if latest else 1,
                definition=definition,
                content_hash=digest,
                source_file=path.name,
            )
            if (instrument.title_it, instrument.title_en) != (definition["title"]["it"], definition["title"]["en"]):
                instrument.title_it, instrument.title_en = definition["title"]["it"], definition["title"]["en"]
                instrument.save(update_fields=["title_it", "title_en", "updated_at"])
            (report.created if created else report.new_versions).append(instrument.code)
    return report
