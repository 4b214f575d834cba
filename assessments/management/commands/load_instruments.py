"""`manage.py load_instruments`: load the instrument files into the database (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.definitions import DefinitionError
from assessments.loader import INSTRUMENTS_DIR, load_instruments


class Command(BaseCommand):
    """Validate and load assessments/instruments/*.yaml; a changed file becomes a new version."""

    help = (
        "Load the assessment instruments from YAML files. A new file creates an instrument, a changed file a new "
        "version (answers given under older versions keep theirs), an unchanged file changes nothing. Every file "
        "is validated first: on any error nothing is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(INSTRUMENTS_DIR), help="Directory of the instrument files.")

    def handle(self, *args, **options):
        try:
            report = load_instruments(Path(options["dir"]))
        except DefinitionError as exc:
            raise CommandError("Instrument files with errors, nothing loaded:\n  " + "\n  ".join(exc.errors)) from exc
        for label, codes in (("new", report.created), ("new version", report.new_versions)):
            for code in codes:
                self.stdout.write(f"  {code}: {label}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Instruments: {len(report.created)} new, {len(report.new_versions)} with a new version, "
                f"{len(report.unchanged)} unchanged."
            )
        )
