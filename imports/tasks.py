"""Background work of the imports app: checking and importing large files, each with its Job row."""

from django.contrib.auth import get_user_model
from django_tasks import task

from core.models import Job, JobStatus
from imports import services
from imports.models import ExportFile, ImportRun

JOB_PREVIEW = "imports.preview"
JOB_COMMIT = "imports.commit"


def _load(run_id: int, job_id: int, user_id: int):
    user = get_user_model().objects.get(pk=user_id)
    return ImportRun.objects.get(pk=run_id), Job.objects.get(pk=job_id), user


@task()
def preview_import(run_id: int, job_id: int, user_id: int) -> None:
    """Check an uploaded file and store its preview."""
    run, job, user = _load(run_id, job_id, user_id)
    try:
        services.import_preview(actor=user, run=run, job=job)
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, report={"error": str(exc)[:500]})
        raise


@task()
def commit_import(run_id: int, job_id: int, user_id: int) -> None:
    """Import the rows of a previewed file, batch by batch."""
    run, job, user = _load(run_id, job_id, user_id)
    try:
        services.import_commit(actor=user, run=run, job=job)
    except Exception as exc:
        Job.objects.filter(pk=job.pk).exclude(status=JobStatus.INTERRUPTED).update(
            status=JobStatus.FAILED, report={"error": str(exc)[:500]}
        )
        raise


@task()
def build_export(export_id: int) -> None:
    """Write a large export file for its requester to download."""
    services.export_build(export=ExportFile.objects.select_related("created_by", "job").get(pk=export_id))
