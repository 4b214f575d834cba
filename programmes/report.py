"""The annual report of a programme for a territory: objectives, actions with their responsible organisations,
milestones, budget, each indicator against its target and the trend charts, as PDF (WeasyPrint) and XLSX.

Reports are built in the background (programmes.tasks.build_report) with a core.Job row the page polls; the
figures are those the requester may see (small cells suppressed as on the pages). report_start and report_build
are the writes (services, in the house style: keyword-only, atomic, audited).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import access_for
from accounts.models import Territory
from audit.choices import Action
from audit.services import audit_log
from core.i18n import current_language
from core.models import Job, JobStatus
from programmes import selectors
from programmes.choices import TargetStatus
from programmes.exports import as_xlsx_sheets
from programmes.models import Programme, ProgrammeReport
from programmes.permissions import can_view_programmes
from programmes.trends import trend_series, trend_steps

JOB_KIND = "programmes.report"
FIRST_YEAR = 2000
# Written reports are kept this long for their requester, then their files are cleared (the row stays).
KEEP_DAYS = 30
# The report's trend charts cover the chosen year and the two before it (quarters), from the programme's start.
TREND_YEARS = 3


class PdfUnavailable(Exception):
    """WeasyPrint (or its Pango library) is not installed on this server."""


def report_period(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def trend_period(programme: Programme, year: int) -> tuple[datetime.date, datetime.date]:
    """Quarters of the chosen year and the two before it, from the programme's start when later."""
    start = datetime.date(year - TREND_YEARS + 1, 1, 1)
    if programme.starts_on and programme.starts_on.year <= year:
        start = max(start, programme.starts_on)
    return start, datetime.date(year, 12, 31)


@transaction.atomic
def report_start(*, actor, programme: Programme, territory: Territory | None, year: int) -> ProgrammeReport:
    """Queue the annual report of `programme` for `territory` (None: the whole network) and `year`; audited as
    data.export. The caller enqueues programmes.tasks.build_report after this returns. Reports older than
    KEEP_DAYS lose their files."""
    if not can_view_programmes(actor):
        raise PermissionDenied
    this_year = timezone.localdate().year
    if year is None or not FIRST_YEAR <= year <= this_year + 1:
        raise ValidationError(
            {"year": _("Choose a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": this_year + 1}}
        )
    cutoff = timezone.now() - datetime.timedelta(days=KEEP_DAYS)
    ProgrammeReport.objects.filter(created_at__lt=cutoff).exclude(pdf=b"", xlsx=b"").update(pdf=b"", xlsx=b"")
    job = Job.objects.create(kind=JOB_KIND, started_by=actor, organisation_id=access_for(actor).primary_org_id)
    report = ProgrammeReport.objects.create(
        programme=programme, territory=territory, year=year, requested_by=actor, job=job, language=current_language()
    )
    audit_log(
        actor=actor,
        action=Action.EXPORT,
        obj=programme,
        detail={"what": "programme_report", "report": report.pk, "year": year, "territory": _code(territory)},
    )
    return report


def _code(territory: Territory | None) -> str:
    return territory.code if territory is not None else ""


def _progress(job: Job | None, done: int) -> None:
    if job is not None:
        Job.objects.filter(pk=job.pk).update(progress_done=done, updated_at=timezone.now())


def report_build(*, report: ProgrammeReport) -> ProgrammeReport:
    """Compute the report's figures as its requester may see them and write its XLSX and PDF, advancing the job.

    The files are saved together at the end (nothing half-saved); a failure marks the job failed with its reason.
    Without WeasyPrint the XLSX is still written and the job's report says the PDF could not be printed. The
    report is written in the language its requester used when asking for it."""
    with translation.override(report.language or settings.LANGUAGE_CODE):
        return _report_build(report)


def _report_build(report: ProgrammeReport) -> ProgrammeReport:
    job = report.job
    user = report.requested_by
    programme = report.programme
    trend_start, trend_end = trend_period(programme, report.year)
    indicators_count = programme.indicators.count()
    total = indicators_count + trend_steps(programme, trend_start, trend_end) + 2
    if job is not None:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, progress_total=total, progress_done=0, started_at=timezone.now()
        )
    try:
        context = report_context(
            user, programme, territory=report.territory, year=report.year, progress=lambda n: _progress(job, n)
        )
        _progress(job, total - 2)
        xlsx = report_xlsx(context)
        _progress(job, total - 1)
        outcome = {}
        try:
            pdf = report_pdf(context)
        except PdfUnavailable:
            pdf = b""
            outcome["pdf_error"] = _("PDF printing is not installed on this server: only the XLSX was written.")
    except Exception as exc:
        if job is not None:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED, report={"error": str(exc)[:500]}, finished_at=timezone.now()
            )
        raise
    with transaction.atomic():
        report.pdf, report.xlsx = pdf, xlsx
        report.suppressed = context["suppressed"]
        report.computed_at = context["computed_at"]
        report.save(update_fields=["pdf", "xlsx", "suppressed", "computed_at", "updated_at"])
        if job is not None:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.DONE,
                progress_done=total,
                counts={"indicators": indicators_count},
                report=outcome,
                finished_at=timezone.now(),
            )
    return report


def report_context(user, programme: Programme, *, territory: Territory | None, year: int, progress=None) -> dict:
    """Everything the report shows, computed over the year and territory as `user` may see it."""
    start, end = report_period(year)
    scope = selectors.make_scope(start=start, end=end, territory=territory)
    today = timezone.localdate()
    rows = selectors.indicator_rows(user, programme, scope, today=today)
    if progress is not None:
        progress(len(rows))
    trend_start, trend_end = trend_period(programme, year)
    trends = trend_series(
        user,
        programme,
        start=trend_start,
        end=trend_end,
        organisation_ids=scope.organisation_ids,
        progress=(lambda n: progress(len(rows) + n)) if progress is not None else None,
    )
    budget = list(programme.budget.all())
    return {
        "programme": programme,
        "territory": territory,
        "territory_label": territory.name if territory is not None else _("Whole network"),
        "year": year,
        "start": start,
        "end": end,
        "objectives": selectors.programme_tree(programme),
        "budget": budget,
        "budget_total": sum(line.amount for line in budget),
        "rows": rows,
        "statuses": dict(TargetStatus.choices),
        "trends": trends,
        "trend_start": trend_start,
        "trend_end": trend_end,
        "suppressed": selectors.must_suppress(user, scope),
        "computed_at": timezone.now(),
        "requested_by": user,
    }


def report_pdf(context: dict) -> bytes:
    """The report as PDF: WeasyPrint is imported here, so that the rest of Ponte runs without it."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable from exc
    html = render_to_string("programmes/report_pdf.html", context)
    return HTML(string=html).write_pdf()


def _shown(value, *, suppressed: bool = False, waiting: tuple = ()) -> object:
    if waiting:
        return _("waiting for: %(parts)s") % {"parts": ", ".join(waiting)}
    if value is None:
        return _("suppressed (< 5)") if suppressed else ""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return value.quantize(Decimal(1))  # 3, not 3.00: the same on every database
    return value


def report_sheets(context: dict) -> list[tuple[str, list[list]]]:
    """The report's tables: objectives, actions, milestones, budget, indicators and trends."""
    objectives = [[_("code"), _("objective"), _("main objective"), _("description"), _("expected results"),
                   _("source")]]  # fmt: skip
    actions = [[_("objective"), _("code"), _("action"), _("responsible"), _("responsible organisation"),
                _("resources"), _("source")]]  # fmt: skip
    milestones = [[_("objective"), _("action"), _("milestone"), _("due on"), _("status")]]
    for main in context["objectives"]:
        for objective in [main, *main.sub]:
            objectives.append(
                [objective.code, objective.title, main.code if objective is not main else "", objective.description,
                 "; ".join(objective.expected_results or []), objective.source]
            )  # fmt: skip
            for action in objective.actions.all():
                org = action.responsible_organisation
                actions.append(
                    [objective.code, action.code, action.title, action.responsible, org.name if org else "",
                     action.resources, action.source]
                )  # fmt: skip
                for milestone in action.milestones.all():
                    milestones.append(
                        [objective.code, action.code, milestone.title, milestone.due_on or milestone.due_text,
                         milestone.get_status_display()]
                    )  # fmt: skip
    budget = [[_("area"), _("type of expense"), _("year"), _("amount (€)"), _("source")]]
    for line in context["budget"]:
        year = line.year or (_("each year (maximum)") if line.per_year else "")
        budget.append([line.area, line.kind, year, line.amount, line.source])
    budget.append([_("Total"), "", "", context["budget_total"], ""])
    figures = [[_("code"), _("indicator"), _("objective"), _("value"), _("numerator"), _("denominator"), _("unit"),
                _("direction"), _("target"), _("due on"), _("status"), _("baseline"), _("source")]]  # fmt: skip
    for row in context["rows"]:
        pi, fig = row.indicator, row.figure
        waiting = fig.waiting_for if fig is not None else ()
        suppressed = fig is not None and fig.suppressed
        figures.append(
            [pi.code, pi.title, pi.objective.code if pi.objective else "",
             _shown(row.value, suppressed=suppressed, waiting=waiting),
             _shown(fig.numerator, suppressed=suppressed) if fig is not None else "",
             _shown(fig.denominator, suppressed=suppressed) if fig is not None else "",
             pi.get_unit_display(), pi.get_direction_display(), pi.target, pi.due_on,
             context["statuses"].get(row.status, row.status), pi.baseline, pi.source]
        )  # fmt: skip
    trends = [[_("code"), _("indicator"), _("period"), _("from"), _("to"), _("value"), _("target")]]
    for trend in context["trends"]:
        pi = trend.indicator
        if trend.is_waiting:
            trends.append([pi.code, pi.title, "", "", "", _shown(None, waiting=trend.waiting_for), pi.target])
        for point in trend.points:
            trends.append(
                [pi.code, pi.title, point.period.label, point.period.start, point.period.end,
                 _shown(point.value, suppressed=point.suppressed), pi.target]
            )  # fmt: skip
    return [
        (_("Indicators"), figures),
        (_("Objectives"), objectives),
        (_("Actions"), actions),
        (_("Milestones"), milestones),
        (_("Budget"), budget),
        (_("Trends"), trends),
    ]


def report_xlsx(context: dict) -> bytes:
    """The report's tables as a workbook, one sheet each, every cell text (never a formula)."""
    about = [
        [_("programme"), context["programme"].title],
        [_("territory"), context["territory_label"]],
        [_("year"), context["year"]],
        [_("figures computed at"), timezone.localtime(context["computed_at"]).strftime("%d/%m/%Y %H:%M")],
        [_("small counts suppressed"), context["suppressed"]],
    ]
    return as_xlsx_sheets([(_("Report"), about), *report_sheets(context)])
