"""`manage.py import_legacy persons FILE --user USERNAME [--commit]`: the checks and report of the import page."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from imports import services
from imports.choices import Entity, RowAction, RunStatus
from imports.selectors import report_lines


class Command(BaseCommand):
    help = "Check a file in a Ponte layout (docs/import.md) and, with --commit, import it as USERNAME."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=Entity.values)
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="The coordinator the import is done as (access and audit).")
        parser.add_argument("--commit", action="store_true", help="Import the rows without errors (default: check).")
        parser.add_argument("--source-system", default="", help="Old system for rows whose source_system is empty.")

    def handle(self, *args, entity, file, user, commit, source_system, **options):
        try:
            actor = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        try:
            run = services.import_upload(
                actor=actor, filename=path.name, data=path.read_bytes(), source_system=source_system, entity=entity
            )
            run = services.import_preview(actor=actor, run=run)
            if commit and run.status == RunStatus.PREVIEWED:
                run = services.import_commit(actor=actor, run=run, on_row=None)
        except PermissionDenied:
            raise CommandError(f"{user} may not import: imports are for coordinators.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self._print(run, committed=commit)
        if run.status == RunStatus.FAILED:
            raise CommandError(run.error)

    def _print(self, run, *, committed: bool):
        counts = run.counts or {}
        self.stdout.write(f"{run.filename}: {run.get_status_display()} (import {run.pk})")
        if run.error:
            self.stdout.write(run.error)
        for note in counts.get("notes", []):
            self.stdout.write(f"note: {note}")
        self.stdout.write(f"rows: {counts.get('rows', 0)}")
        for action in RowAction:
            self.stdout.write(f"{action.value}: {counts.get(action.value, 0)}")
        for line, key, _name, _action, column, message in report_lines(run):
            if message:
                self.stdout.write(f"row {line} [{key}] {column}: {message}")
        if not committed and run.status == RunStatus.PREVIEWED:
            self.stdout.write("Nothing was written: run again with --commit to import the rows without errors.")
