"""Background work of the programmes app: the annual report, with its Job row for the progress page."""

from django_tasks import task

from programmes import report as reports
from programmes.models import ProgrammeReport


@task()
def build_report(report_id: int) -> None:
    """Compute and write the PDF and XLSX of a queued programme report, as its requester."""
    report = ProgrammeReport.objects.select_related("programme", "territory", "requested_by", "job").get(pk=report_id)
    reports.report_build(report=report)
