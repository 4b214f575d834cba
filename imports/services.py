"""Writes of the imports app: uploading a file, its preview, its commit, value mappings. Each audits itself.

The rows stream from the file and go in batches: each batch is one transaction, all or nothing, and each row
inside it a savepoint, so that a row the services refuse is reported and the others go on. An interruption
(a crash, a stopped worker) loses at most the batch in progress; importing the file again finishes the work,
and the source keys make sure nothing is created twice.
"""

import datetime
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from audit.choices import Action
from audit.models import AuditEvent
from audit.services import audit_log
from core.bulk import analyze_grown, fewer_collections, insert_many
from core.models import Job, JobStatus
from imports.cells import fold
from imports.choices import Entity, MappedField, RowAction, RunStatus
from imports.handlers import Handler, handler_for
from imports.layouts import common
from imports.layouts import persons as layout
from imports.layouts.common import RowByRow
from imports.models import CodeMapping, ExportFile, ImportRun, SourceKey
from imports.permissions import can_export_persons, can_import, can_record_diagnosis, import_org_id
from imports.readers import FileError, check_size, read_rows

BATCH_SIZE = 1000
# Rows kept in the report shown on the page and downloaded: every error, and the rest up to this many.
REPORT_ROWS = 5000


class ImportInterrupted(Exception):
    """Raised by an `on_row` callback to stop a commit (a cancelled job); the batch in progress is rolled back."""


def _context(actor, run: ImportRun) -> layout.Context:
    mappings: dict[str, dict[str, str]] = {}
    for mapping in CodeMapping.objects.filter(organisation_id=run.organisation_id):
        mappings.setdefault(mapping.field, {})[mapping.folded] = mapping.target
    organisations = {}
    for org_id, name, short in Organisation.objects.filter(is_active=True).values_list("pk", "name", "short_name"):
        organisations[fold(name)] = org_id
        if short:
            organisations.setdefault(fold(short), org_id)
    return layout.Context(
        org_id=run.organisation_id,
        default_source_system=run.source_system,
        mappings=mappings,
        organisations=organisations,
        may_record_diagnosis=can_record_diagnosis(actor, run.organisation_id),
    )


def keep_days() -> int:
    return int(getattr(settings, "IMPORT_KEEP_DAYS", 7))


def purge_stale_uploads() -> int:
    """Drop the content of files uploaded more than IMPORT_KEEP_DAYS ago and never imported: health data in a
    file nobody confirmed should not stay in the database. Their preview report stays."""
    cutoff = timezone.now() - datetime.timedelta(days=keep_days())
    message = _("The file was removed after %(days)d days without import: upload it again.") % {"days": keep_days()}
    stale = ImportRun.objects.filter(created_at__lt=cutoff).exclude(status=RunStatus.DONE).exclude(content=b"")
    return stale.update(content=b"", status=RunStatus.FAILED, error=message)


def import_upload(
    *, actor, filename: str, data: bytes, source_system: str = "", entity: str = Entity.PERSONS
) -> ImportRun:
    """Keep an uploaded file for its preview. Nothing of its content is written anywhere else."""
    if not can_import(actor):
        raise PermissionDenied
    try:
        check_size(len(data))
    except FileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    purge_stale_uploads()
    return ImportRun.objects.create(
        organisation_id=import_org_id(actor),
        entity=entity,
        filename=(filename or "file")[-200:],
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        source_system=(source_system or "").strip()[:40],
        created_by=actor,
    )


def _parsed_rows(actor, run: ImportRun, handler: Handler, ctx, file_errors: list) -> Iterator[layout.ParsedRow]:
    """The file's rows read and checked one by one; problems of the whole file go to `file_errors`."""
    rows = read_rows(bytes(run.content), run.filename)
    header = next(rows, None)
    if not header or not any(cell not in (None, "") for cell in header):
        raise FileError(_("The file has no header row: the first row must name the columns (see the template)."))
    mapping, unknown, duplicated = common.header_map(handler.columns, header)
    if duplicated:
        raise FileError(
            _("These columns appear twice: %(names)s. Keep one of each.") % {"names": ", ".join(duplicated)}
        )
    missing = [
        name
        for name in handler.required
        if name not in mapping.values() and not (name == "source_system" and run.source_system)
    ]
    if missing:
        raise FileError(
            _("Required columns are missing: %(names)s. Start from the template, which has them all.")
            % {"names": ", ".join(missing)}
        )
    if unknown:
        file_errors.append(
            _("These columns are not part of the layout and were ignored: %(names)s.") % {"names": ", ".join(unknown)}
        )
    seen_keys: dict[tuple, int] = {}
    seen_values: dict[str, dict] = {column: {} for column, _message in handler.unique}
    for line, cells in enumerate(rows, start=2):
        if not any(cell not in (None, "") and str(cell).strip() for cell in cells):
            continue  # blank lines at the end of spreadsheets
        by_name = {name: cells[index] if index < len(cells) else None for index, name in mapping.items()}
        row = handler.parse_row(ctx, line, by_name)
        key = (row.source_system, row.source_id)
        if row.source_id:
            if key in seen_keys:
                row.error("source_id", str(handler.once) % {"line": seen_keys[key]})
            else:
                seen_keys[key] = line
        for column, message in handler.unique:
            value = row.values.get(column)
            if value:
                seen = seen_values[column]
                if value in seen:
                    row.error(column, str(message) % {"line": seen[value]})
                else:
                    seen[value] = line
        yield row


def _batches(iterable, size: int, keeps_next: Callable = lambda item: False):
    """Lists of `size` items, a batch running on past `size` while its last item `keeps_next` (a row that must be
    written with the row after it)."""
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size and not keeps_next(item):
            yield batch
            batch = []
    if batch:
        yield batch


def _count_rows(run: ImportRun) -> int:
    try:
        return max(0, sum(1 for _row in read_rows(bytes(run.content), run.filename)) - 1)
    except FileError:
        return 0


def _progress(job: Job | None, done: int) -> None:
    if job is not None:
        Job.objects.filter(pk=job.pk).update(progress_done=done, updated_at=timezone.now())


def _report(plans, counts: Counter, kept: list) -> None:
    for plan in plans:
        counts[str(plan.action)] += 1
        if plan.row.errors or len(kept) < REPORT_ROWS:
            kept.append(plan.as_report())


def _start_job(job: Job | None, total: int | None) -> None:
    if job is not None:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, progress_total=total, progress_done=0, started_at=timezone.now()
        )


def _finish_job(job: Job | None, status: str, counts: dict, report: dict | None = None) -> None:
    if job is not None:
        Job.objects.filter(pk=job.pk).update(
            status=status, counts=counts, report=report or {}, finished_at=timezone.now(), updated_at=timezone.now()
        )


@fewer_collections()  # thousands of rows through the services: see core.bulk
def import_preview(*, actor, run: ImportRun, job: Job | None = None) -> ImportRun:
    """Read and check every row and compare it with Ponte; store what a commit would do. Writes no person data."""
    if not can_import(actor) or run.organisation_id != import_org_id(actor):
        raise PermissionDenied
    handler = handler_for(run.entity)
    ctx = handler.context(actor, run)
    counts: Counter = Counter()
    kept: list[dict] = []
    file_errors: list[str] = []
    _start_job(job, _count_rows(run))
    done = 0
    try:
        for batch in _batches(_parsed_rows(actor, run, handler, ctx, file_errors), BATCH_SIZE, handler.keeps_next):
            batch = handler.order(batch)
            lookup = handler.lookup(actor, ctx, batch)
            _report([handler.plan(actor, ctx, row, lookup) for row in batch], counts, kept)
            done += len(batch)
            _progress(job, done)
    except FileError as exc:
        run.status, run.error = RunStatus.FAILED, str(exc)
        run.counts, run.rows = {}, []
        run.save(update_fields=["status", "error", "counts", "rows", "updated_at"])
        _finish_job(job, JobStatus.FAILED, {}, {"error": str(exc)})
        audit_log(actor=actor, action=Action.IMPORT_PREVIEW, detail=_audit_detail(run))
        return run
    run.counts = {"rows": done, **counts, "notes": file_errors}
    run.rows = kept
    run.status, run.error = RunStatus.PREVIEWED, ""
    run.save(update_fields=["counts", "rows", "status", "error", "updated_at"])
    _finish_job(job, JobStatus.DONE, dict(counts))
    audit_log(actor=actor, action=Action.IMPORT_PREVIEW, detail=_audit_detail(run))
    return run


def _audit_detail(run: ImportRun) -> dict:
    counts = {k: v for k, v in (run.counts or {}).items() if k != "notes"}
    return {"run": run.pk, "entity": run.entity, "file": run.filename, "sha256": run.sha256, "counts": counts,
            "status": run.status}  # fmt: skip


def _commit_batch(actor, ctx, handler: Handler, batch: list, organisation, run, on_row) -> list:
    """Write one batch, inside the caller's transaction: all at once where the layout can, otherwise (or when
    its batch commit declines) row by row, each row in a savepoint so that a row the services refuse is reported
    and the others go on."""
    if handler.commit_batch is not None:
        errors = [list(row.errors) for row in batch]
        try:
            with transaction.atomic():
                lookup = handler.lookup(actor, ctx, batch)
                plans = handler.commit_batch(actor, ctx, batch, lookup, organisation=organisation, run=run)
                insert_many(SourceKey, lookup.new_keys)
                if on_row is not None:
                    for row in batch:
                        on_row(row.line)
                return plans
        except RowByRow:
            for row, before in zip(batch, errors, strict=True):
                row.errors[:] = before  # planned again below, from the start
    lookup = handler.lookup(actor, ctx, batch)
    plans = []
    for row in batch:
        plan = handler.plan(actor, ctx, row, lookup)
        if plan.action in (RowAction.CREATE, RowAction.UPDATE, RowAction.UNCHANGED):
            try:
                with transaction.atomic():
                    handler.apply(actor, ctx, plan, organisation=organisation, run=run, lookup=lookup)
            except (ValidationError, PermissionDenied) as exc:
                handler.service_errors(row, exc)
                plan.action = RowAction.ERROR
        else:
            handler.refuse(actor, plan)
        plans.append(plan)
        if on_row is not None:
            on_row(row.line)
    insert_many(SourceKey, lookup.new_keys)
    return plans


@fewer_collections()
def import_commit(
    *,
    actor,
    run: ImportRun,
    job: Job | None = None,
    batch_size: int = BATCH_SIZE,
    on_row: Callable[[int], None] | None = None,
) -> ImportRun:
    """Import the rows of a previewed file that have no errors, batch by batch; rows with errors are reported.

    `on_row(line)` is called after each row is written, inside its batch: raising ImportInterrupted there stops
    the import and rolls the batch back.
    """
    if not can_import(actor) or run.organisation_id != import_org_id(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status not in (RunStatus.PREVIEWED, RunStatus.INTERRUPTED, RunStatus.FAILED) or not locked.content:
            raise ValidationError(_("This file was already imported, or is being imported now: upload it again."))
        # After an interruption the stored count is of the rows done, not of the file.
        total = int((locked.counts or {}).get("rows") or 0) if locked.status == RunStatus.PREVIEWED else None
        locked.status = RunStatus.COMMITTING
        locked.save(update_fields=["status", "updated_at"])
    run = locked
    organisation = Organisation.objects.get(pk=run.organisation_id)
    handler = handler_for(run.entity)
    ctx = handler.context(actor, run)
    counts: Counter = Counter()
    kept: list[dict] = []
    file_errors: list[str] = []
    _start_job(job, total or _count_rows(run))
    done = 0
    try:
        for batch in _batches(_parsed_rows(actor, run, handler, ctx, file_errors), batch_size, handler.keeps_next):
            with transaction.atomic():
                plans = _commit_batch(actor, ctx, handler, handler.order(batch), organisation, run, on_row)
            _report(plans, counts, kept)
            done += len(batch)
            _progress(job, done)
            # The next batch's lookups are planned on the tables as they are now: analysed each time a table has
            # doubled (an index plan for a few hundred keys stays the plan from thousands of rows on), but for the
            # audit log, which the lookups never read.
            analyze_grown(skip=(AuditEvent._meta.db_table,))
    except Exception as exc:  # FileError, ImportInterrupted, or anything that broke a batch
        interrupted = not isinstance(exc, FileError)
        run.status = RunStatus.INTERRUPTED if interrupted else RunStatus.FAILED
        run.error = (
            str(exc)
            if isinstance(exc, FileError)
            else _(
                "The import stopped after %(done)d rows; the rows before were imported. Import the file again to "
                "finish: rows already imported will be left unchanged."
            )
            % {"done": done}
        )
        run.counts = {"rows": done, **counts, "notes": file_errors}
        run.rows = kept
        run.save(update_fields=["status", "error", "counts", "rows", "updated_at"])
        _finish_job(job, JobStatus.INTERRUPTED if interrupted else JobStatus.FAILED, dict(counts), {"error": run.error})
        audit_log(actor=actor, action=Action.IMPORT_COMMIT, organisation=organisation, detail=_audit_detail(run))
        if interrupted and not isinstance(exc, ImportInterrupted):
            raise
        return run
    run.counts = {"rows": done, **counts, "notes": file_errors}
    run.rows = kept
    run.status, run.error = RunStatus.DONE, ""
    run.content = b""  # the data now live in the records; the file is not kept
    run.committed_at = timezone.now()
    run.save(update_fields=["counts", "rows", "status", "error", "content", "committed_at", "updated_at"])
    _finish_job(job, JobStatus.DONE, dict(counts))
    audit_log(actor=actor, action=Action.IMPORT_COMMIT, organisation=organisation, detail=_audit_detail(run))
    return run


# ---------------------------------------------------------------------------------------------- mappings


def _target_choices(field: str) -> dict[str, str]:
    from people.choices import DiagnosisGroup, Education, Sex

    return {
        MappedField.SEX: dict(Sex.choices),
        MappedField.DIAGNOSIS_GROUP: dict(DiagnosisGroup.choices),
        MappedField.EDUCATION: dict(Education.choices),
    }[field]


def mapping_save(*, actor, field: str, source_value: str, target: str) -> CodeMapping:
    """Map an old label of a coded value to its Ponte code, for the files of the actor's organisation.

    Mappings are configuration, not personal data: they are not audited (there is no event code for them).
    """
    if not can_import(actor):
        raise PermissionDenied
    errors = {}
    if field not in MappedField.values:
        errors["field"] = _("Unknown column.")
    elif target not in _target_choices(field):
        errors["target"] = _("Choose a value that Ponte knows for this column.")
    folded = fold(source_value)
    if not folded:
        errors["source_value"] = _("Write the value as it appears in the old files.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        mapping, _created = CodeMapping.objects.update_or_create(
            organisation_id=import_org_id(actor),
            field=field,
            folded=folded,
            defaults={"source_value": source_value.strip()[:120], "target": target},
        )
    return mapping


def mapping_delete(*, actor, mapping: CodeMapping) -> None:
    """Remove a mapping of the actor's organisation."""
    if not CodeMapping.objects.restrict(actor, "change").filter(pk=mapping.pk).exists():
        raise PermissionDenied
    mapping.delete()


# ---------------------------------------------------------------------------------------------- exports


def export_keep_hours() -> int:
    return int(getattr(settings, "EXPORT_KEEP_HOURS", 24))


def export_content(*, actor, fmt: str, entity: str = Entity.PERSONS) -> tuple[bytes, int]:
    """The records of a layout `actor` may see as a CSV or XLSX file in that layout, and how many; audited."""
    from imports import exports

    if not can_export_persons(actor) or entity not in Entity.values:
        raise PermissionDenied
    rows = list(exports.rows_for(entity, actor))
    title = str(Entity(entity).label) if entity != Entity.PERSONS else ""
    content = exports.write_csv(rows) if fmt == "csv" else exports.write_xlsx(rows, title=title)
    audit_log(actor=actor, action=Action.EXPORT, detail={"entity": entity, "format": fmt, "rows": len(rows) - 1})
    return content, len(rows) - 1


def export_persons_content(*, actor, fmt: str) -> tuple[bytes, int]:
    """The persons `actor` may see as a CSV or XLSX file in the persons layout, and how many; audited."""
    return export_content(actor=actor, fmt=fmt, entity=Entity.PERSONS)


def export_start(*, actor, fmt: str, entity: str = Entity.PERSONS) -> ExportFile:
    """Queue a large export of a layout; the file waits for its requester for EXPORT_KEEP_HOURS."""
    if not can_export_persons(actor):
        raise PermissionDenied
    cutoff = timezone.now() - datetime.timedelta(hours=export_keep_hours())
    ExportFile.objects.filter(created_at__lt=cutoff).exclude(content=b"").update(content=b"")
    job = Job.objects.create(kind="imports.export", started_by=actor, organisation_id=import_org_id(actor))
    return ExportFile.objects.create(fmt=fmt, entity=entity, created_by=actor, job=job)


def export_build(*, export: ExportFile) -> ExportFile:
    """Build the file of a queued export, as its requester."""
    actor = export.created_by
    _start_job(export.job, None)
    try:
        content, rows = export_content(actor=actor, fmt=export.fmt, entity=export.entity)
    except Exception as exc:
        _finish_job(export.job, JobStatus.FAILED, {}, {"error": str(exc)[:500]})
        raise
    export.content, export.rows = content, rows
    export.save(update_fields=["content", "rows", "updated_at"])
    _finish_job(export.job, JobStatus.DONE, {"rows": rows})
    return export
