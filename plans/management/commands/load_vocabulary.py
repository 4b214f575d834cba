"""`manage.py load_vocabulary`: load the shared vocabulary of focus areas into the database (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.vocabulary import VOCABULARY_FILE, VocabularyError, load_vocabulary


class Command(BaseCommand):
    """Validate and load plans/data/vocabulary.yaml; on any error nothing is loaded."""

    help = (
        "Load the shared vocabulary of the evaluation's focus areas from YAML. A new entry creates a term, a "
        "changed one updates it, an unchanged one changes nothing; a term no longer in the file is deleted unless "
        "a plan goal or an instrument item uses it (then it is kept). The whole file is validated first: on any "
        "error nothing is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(VOCABULARY_FILE), help="The vocabulary YAML file.")

    def handle(self, *args, **options):
        try:
            report = load_vocabulary(Path(options["file"]))
        except VocabularyError as exc:
            raise CommandError("Vocabulary file with errors, nothing loaded:\n  " + "\n  ".join(exc.errors)) from exc
        for slug in report.kept:
            self.stdout.write(f"  {slug}: no longer in the file, kept because plan goals or instrument items use it")
        self.stdout.write(
            self.style.SUCCESS(
                f"Vocabulary: {len(report.created)} new, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(report.deleted)} removed, {len(report.kept)} kept."
            )
        )
