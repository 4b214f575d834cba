"""`manage.py load_programmes`: load the programme files into the database (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programmes.loader import DATA_DIR, ProgrammeFileError, load_programmes


class Command(BaseCommand):
    """Validate and load programmes/data/*.yaml; an unchanged file changes nothing."""

    help = (
        "Load the programmes (objectives, actions, milestones, budgets, indicators with targets) from the YAML "
        "files of programmes/data. A new file creates a programme, a changed file replaces its content and "
        "raises its version, an unchanged file changes nothing. Every file is validated first: on any error "
        "nothing is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(DATA_DIR), help="Directory of the programme files.")

    def handle(self, *args, **options):
        try:
            report = load_programmes(Path(options["dir"]))
        except ProgrammeFileError as exc:
            raise CommandError("Programme files with errors, nothing loaded:\n  " + "\n  ".join(exc.errors)) from exc
        for label, codes in (("new", report.created), ("updated", report.updated)):
            for code in codes:
                self.stdout.write(f"  {code}: {label}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Programmes: {len(report.created)} new, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged."
            )
        )
