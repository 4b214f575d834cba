"""Pages of the imports app: upload and preview, commit with progress, the report, templates, mappings, exports.

Only coordinators reach them (docs/adr/0008); anyone else finds no page (404), like a missing one.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.shortcuts import get_restricted_or_404
from core.htmx import render_page
from core.models import Job
from imports import exports, selectors, services, tasks
from imports.choices import Entity, RowAction, RunStatus
from imports.forms import MappingForm, UploadForm
from imports.models import CodeMapping, ExportFile, ImportRun
from imports.permissions import can_export_persons, can_import, import_org_id
from imports.readers import FileError, check_size

FORMATS = ("csv", "xlsx")


def _require_import(user):
    if not can_import(user):
        raise Http404


def inline_bytes() -> int:
    """Files up to this size are checked and imported while the page waits; larger ones run as tasks."""
    return int(getattr(settings, "IMPORT_INLINE_BYTES", 256 * 1024))


def _file_response(content: bytes, filename: str, fmt: str) -> HttpResponse:
    content_type = exports.CSV_CONTENT_TYPE if fmt == "csv" else exports.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_home(request):
    """Upload a file; the latest imports of the organisation."""
    _require_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
        except FileError as exc:
            form.add_error("file", str(exc))
        else:
            try:
                run = services.import_upload(
                    actor=request.user,
                    filename=upload.name,
                    data=upload.read(),
                    source_system=form.cleaned_data["source_system"],
                    entity=form.cleaned_data.get("entity") or Entity.PERSONS,
                )
            except ValidationError as exc:
                for message in exc.message_dict.get("file", exc.messages):
                    form.add_error("file", message)
            else:
                if len(run.content) <= inline_bytes():
                    services.import_preview(actor=request.user, run=run)
                else:
                    _enqueue(request.user, run, tasks.JOB_PREVIEW, tasks.preview_import)
                return redirect("imports:run", pk=run.pk)
    context = {
        "form": form,
        "runs": selectors.runs_for(request.user),
        "can_export": can_export_persons(request.user),
        "layouts": [(e.value, e.label) for e in Entity],
    }
    return render_page(request, "imports/home.html", context, status=400 if form.errors else 200)


def _enqueue(user, run: ImportRun, kind: str, task) -> Job:
    job = Job.objects.create(kind=kind, started_by=user, organisation_id=run.organisation_id)
    run.job = job
    run.save(update_fields=["job", "updated_at"])
    task.enqueue(run_id=run.pk, job_id=job.pk, user_id=user.pk)
    return job


def _run(request, pk: int) -> ImportRun:
    _require_import(request.user)
    return get_restricted_or_404(ImportRun, request.user, "change", pk=pk)


@login_required
def run_detail(request, pk: int):
    """The preview (or the result) of an uploaded file; while a task works on it, a progress bar."""
    run = _run(request, pk)
    job = run.job
    working = job is not None and not job.is_finished
    rows = run.rows or []
    counts = run.counts or {}
    importable = sum(int(counts.get(a) or 0) for a in (RowAction.CREATE, RowAction.UPDATE, RowAction.UNCHANGED))
    context = {
        "run": run,
        "job": job,
        "working": working,
        "errors": [(row, column, message) for row in rows for column, message in row.get("errors") or []],
        "rows": [row for row in rows if not row.get("errors")][:500],
        "counts": counts,
        "actions": [(a.value, a.label, int(counts.get(a.value) or 0)) for a in RowAction],
        "can_commit": bool(run.content)
        and importable > 0
        and run.status in (RunStatus.PREVIEWED, RunStatus.INTERRUPTED),
        "importable": importable,
        "skipped": int(counts.get(RowAction.ERROR) or 0) + int(counts.get(RowAction.REVIEW) or 0),
    }
    if getattr(request, "htmx", False) and not working:
        # The poll sees the work finished: htmx reloads the whole page to show the result.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render_page(request, "imports/run.html", context, partial="progress" if working else None)


@login_required
@require_POST
def run_commit(request, pk: int):
    """Import the file's rows without errors: at once for small files, as a task with progress for large ones."""
    run = _run(request, pk)
    try:
        if run.job is not None and not run.job.is_finished:
            raise ValidationError(_("This file is being worked on now: wait for the progress bar to finish."))
        if len(run.content or b"") <= inline_bytes():
            run = services.import_commit(actor=request.user, run=run)
        else:
            _enqueue(request.user, run, tasks.JOB_COMMIT, tasks.commit_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:run", pk=run.pk)


@login_required
def run_report(request, pk: int):
    """The report of a preview or an import as CSV: counts, then every error by row and column."""
    run = _run(request, pk)
    counts = {k: v for k, v in (run.counts or {}).items() if k != "notes"}
    lines = [[_("file"), run.filename], [_("status"), run.get_status_display()]]
    lines += [[str(RowAction(k).label) if k in RowAction.values else k, v] for k, v in counts.items()]
    lines += [[_("note"), note] for note in (run.counts or {}).get("notes", [])]
    if run.error:
        lines.append([_("error"), run.error])
    lines.append([])
    lines.append([_("row"), _("old id"), _("name"), _("outcome"), _("column"), _("message")])
    lines += list(selectors.report_lines(run))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _file_response(exports.write_csv(lines), f"ponte-import-{run.pk}-{stamp}", "csv")


@login_required
def template_download(request, fmt: str, entity: str = Entity.PERSONS):
    """A layout, empty, with a guide sheet in the XLSX."""
    _require_import(request.user)
    if fmt not in FORMATS or entity not in Entity.values:
        raise Http404
    if fmt == "csv":
        content = exports.write_csv(exports.template_rows(entity))
    else:
        content = exports.write_xlsx(exports.template_rows(entity), guide=exports.guide_rows(entity), title=entity)
    return _file_response(content, f"ponte-{entity}-template", fmt)


def export_inline_rows() -> int:
    """Exports of up to this many persons are written while the page waits; larger ones run as tasks."""
    return int(getattr(settings, "EXPORT_INLINE_ROWS", 5000))


@login_required
def export_persons(request, fmt: str, entity: str = Entity.PERSONS):
    """The records of a layout the user may see, in that layout; audited as data.export."""
    if fmt not in FORMATS or entity not in Entity.values or not can_export_persons(request.user):
        raise Http404
    if exports.count_for(entity, request.user) > export_inline_rows():
        export = services.export_start(actor=request.user, fmt=fmt, entity=entity)
        tasks.build_export.enqueue(export_id=export.pk)
        return redirect("imports:export_status", pk=export.pk)
    content, _rows = services.export_content(actor=request.user, fmt=fmt, entity=entity)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _file_response(content, f"ponte-{entity}-{stamp}", fmt)


def _export(request, pk: int) -> ExportFile:
    if not can_export_persons(request.user):
        raise Http404
    return get_restricted_or_404(
        ExportFile, request.user, "view", queryset=ExportFile.objects.select_related("job"), pk=pk
    )


@login_required
def export_status(request, pk: int):
    """A large export being written: a progress bar, then the download link."""
    export = _export(request, pk)
    working = export.job is not None and not export.job.is_finished
    if getattr(request, "htmx", False) and not working:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = {"export": export, "job": export.job, "working": working}
    return render_page(request, "imports/export.html", context, partial="progress" if working else None)


@login_required
def export_download(request, pk: int):
    """The file of a large export, for the user who asked for it, while it is kept."""
    export = _export(request, pk)
    if not export.content:
        raise Http404
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return _file_response(bytes(export.content), f"ponte-{export.entity}-{stamp}", export.fmt)


@login_required
@require_http_methods(["GET", "POST"])
def mapping_list(request):
    """The organisation's table of old values and the Ponte codes they stand for."""
    _require_import(request.user)
    form = MappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mapping_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Mapping saved."))
            return redirect("imports:mappings")
    context = {"form": form, "mappings": selectors.mappings_for(request.user), "org_id": import_org_id(request.user)}
    return render_page(request, "imports/mappings.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def mapping_delete(request, pk: int):
    _require_import(request.user)
    mapping = get_restricted_or_404(CodeMapping, request.user, "change", pk=pk)
    services.mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, _("Mapping removed."))
    return redirect("imports:mappings")
