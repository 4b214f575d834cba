"""Programme pages, the indicator dashboard, its exports and the drill-down to the records behind a figure.

Programme documents are public plans; figures come from the indicator engine with small cells suppressed for
whoever may not see the persons behind them (selectors.must_suppress). The records behind a figure are shown
only to roles that see persons, each record through its own restrict(); for everyone else the page is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.choices import Action
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from cases.selectors import person_visible_to
from core.forms import add_service_errors
from core.htmx import render_page
from programmes import permissions, selectors, services
from programmes.charts import bar_chart
from programmes.choices import TargetStatus
from programmes.exports import as_csv, as_xlsx, figure_rows
from programmes.forms import ManualValueForm, ScopeForm, default_period
from programmes.indicators import PERIOD_RULES, REGISTRY
from programmes.models import Programme, ProgrammeIndicator

# The dashboard's figures besides seed 000's table, in this order.
DASHBOARD_KEYS = (
    "referrals.reached",
    "referrals.waiting_days",
    "cases.open_by_area",
    "assessments.completed",
    "employers.contacts",
    "employers.law68_covered",
    "community.participants",
    "community.improved",
    "community.home_support",
    "community.home_meals",
    "celav.concluded",
    "celav.hired_at_end",
    "jobs.employment_rate",
    "jobs.time_to_first_job",
    "jobs.retention_90",
    "jobs.retention_180",
    "jobs.retention_365",
    "jobs.internship_conversion",
    "equity.employment",
    "equity.hired_at_end",
    "equity.hospitalised",
)


def _require(flag: bool) -> None:
    if not flag:
        raise Http404


def _scope_from(request, programme=None):
    start, end = default_period(programme)
    form = ScopeForm(request.GET or None, default_start=start, default_end=end)
    chosen = form.chosen()
    scope = selectors.make_scope(
        start=chosen["start"], end=chosen["end"], territory=chosen["territory"], organisation=chosen["organisation"]
    )
    return form, chosen, scope


def _scope_detail(chosen) -> dict:
    return {
        "start": chosen["start"].isoformat(),
        "end": chosen["end"].isoformat(),
        "territory": chosen["territory"].code if chosen["territory"] else "",
        "organisation": chosen["organisation"].pk if chosen["organisation"] else "",
    }


def _scope_label(chosen) -> str:
    where = [str(x) for x in (chosen["territory"], chosen["organisation"]) if x] or [_("Whole network")]
    return f"{chosen['start']:%d/%m/%Y}–{chosen['end']:%d/%m/%Y} · {' · '.join(where)}"


@login_required
def programme_list(request):
    """The programmes shipped from the seed documents."""
    _require(permissions.can_view_programmes(request.user))
    programmes = Programme.objects.restrict(request.user, "view").order_by("short_title")
    return render_page(request, "programmes/programme_list.html", {"programmes": programmes})


@login_required
def programme_detail(request, code: str):
    """Objectives → actions → milestones, the budget, and the indicators against their targets for a scope."""
    _require(permissions.can_view_programmes(request.user))
    programme = get_restricted_or_404(Programme, request.user, "view", code=code)
    form, chosen, scope = _scope_from(request, programme)
    rows = selectors.indicator_rows(request.user, programme, scope, today=timezone.localdate())
    budget = list(programme.budget.all())
    audit_log(
        actor=request.user,
        action=Action.INDICATOR_VIEW,
        obj=programme,
        detail={"page": "programme", **_scope_detail(chosen)},
    )
    context = {
        "programme": programme,
        "objectives": selectors.programme_tree(programme),
        "budget": budget,
        "budget_total": sum(line.amount for line in budget),
        "rows": rows,
        "form": form,
        "scope_label": _scope_label(chosen),
        "query": request.GET.urlencode(),
        "can_view_records": permissions.can_view_records(request.user),
        "can_record_manual": permissions.can_record_manual_value(request.user),
        "computed_at": timezone.now(),
        "statuses": dict(TargetStatus.choices),
    }
    return render_page(request, "programmes/programme_detail.html", context, partial="indicators")


def _dashboard_figures(user, scope):
    cohort = selectors.cohort_table(user, scope)
    figures = [selectors.figure_for(user, key, scope) for key in DASHBOARD_KEYS]
    diagnosis = selectors.figure_for(user, "cohort.diagnosis", scope)
    return cohort, figures, diagnosis


@login_required
def dashboard(request):
    """Every indicator over the chosen period and territory, seed 000's table first (coordinators, analysts)."""
    _require(permissions.can_view_dashboard(request.user))
    form, chosen, scope = _scope_from(request)
    cohort, figures, diagnosis = _dashboard_figures(request.user, scope)
    open_cases = next(f for f in figures if f.key == "cases.open_by_area")
    breakdown_form, breakdown = _breakdown_from(request, scope)
    detail = {"page": "indicators", **_scope_detail(chosen)}
    if breakdown is not None:
        detail.update(indicator=breakdown.key, breakdown=breakdown.dimension)
    audit_log(actor=request.user, action=Action.AGGREGATE_VIEW, detail=detail)
    context = {
        "form": form,
        "breakdown_form": breakdown_form,
        "breakdown": breakdown,
        "equity": selectors.equity_tables(request.user, scope),
        "scope_fields": [(name, request.GET.get(name, "")) for name in ("start", "end", "territory", "organisation")],
        "cohort": cohort,
        "figures": figures,
        "diagnosis": diagnosis,
        "chart": bar_chart(open_cases.rows),
        "open_cases": open_cases,
        "scope_label": _scope_label(chosen),
        "query": request.GET.urlencode(),
        "can_view_records": permissions.can_view_records(request.user),
        "computed_at": timezone.now(),
        "period_rules": PERIOD_RULES,
    }
    status = 400 if breakdown_form.is_bound and breakdown is None else 200
    return render_page(request, "programmes/dashboard.html", context, partial="figures", status=status)


def _breakdown_from(request, scope):
    """The "Break down by" form and, when it is filled in and valid, the breakdown as the user may see it."""
    from programmes.indicators.forms import BreakdownForm

    bound = "indicator" in request.GET or "by" in request.GET
    form = BreakdownForm(request.GET if bound else None)
    if not bound or not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, selectors.breakdown_for(request.user, data["indicator"], scope, data["by"])


@login_required
def dashboard_export(request, fmt: str):
    """The dashboard's tables as CSV or XLSX, suppressed as on the page; audited as data.export."""
    _require(permissions.can_view_dashboard(request.user))
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, chosen, scope = _scope_from(request)
    cohort, figures, diagnosis = _dashboard_figures(request.user, scope)
    rows = figure_rows([*cohort, diagnosis, *figures], scope_label=_scope_label(chosen))
    _breakdown_form, breakdown = _breakdown_from(request, scope)
    for table in [*selectors.equity_tables(request.user, scope), *([breakdown] if breakdown else [])]:
        rows.extend(selectors.breakdown_rows(table, scope_label=_scope_label(chosen)))
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        detail={"what": "indicators", "format": fmt, "rows": len(rows) - 1, **_scope_detail(chosen)},
    )
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            as_xlsx(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="ponte-indicators-{stamp}.{fmt}"'
    return response


def _record_rows(kind: str, records, user) -> list[dict]:
    """Each record as the cells of the drill-down table and the link to its page."""
    from django.urls import reverse

    out = []
    if kind == "person":
        for p in records.order_by("last_name", "first_name", "pk"):
            out.append({"cells": [str(p), p.birth_date.year], "url": reverse("people:detail", args=[p.pk])})
    elif kind == "case":
        for c in records.select_related("person", "unit").order_by("-opened_on", "pk"):
            cells = [str(c.person), c.unit.name, c.get_area_display(), c.opened_on]
            out.append({"cells": cells, "url": reverse("cases:case_detail", args=[c.pk])})
    elif kind == "referral":
        for r in records.select_related("person", "from_unit", "to_unit").annotate(visible=person_visible_to(user)):
            who = str(r.person) if r.visible else _("Not visible: the consent was withdrawn")
            cells = [who, f"{r.from_unit.name} → {r.to_unit.name}", r.get_status_display(), r.sent_at.date()]
            out.append({"cells": cells, "url": reverse("cases:referral_detail", args=[r.pk])})
    elif kind == "path":
        for p in records.select_related("person", "host").order_by("-starts_on", "pk"):
            cells = [str(p.person), p.get_kind_display(), str(p.host), p.starts_on, p.ended_on or ""]
            out.append({"cells": cells, "url": reverse("paths:detail", args=[p.pk])})
    elif kind == "event":
        for e in records.select_related("person").order_by("-occurred_on", "pk"):
            cells = [str(e.person), e.get_kind_display(), e.occurred_on, e.ended_on or ""]
            out.append({"cells": cells, "url": reverse("paths:person", args=[e.person_id])})
    elif kind == "assessment":
        for a in records.select_related("person", "instrument_version__instrument").order_by("-assessed_on", "pk"):
            cells = [str(a.person), a.instrument_version.instrument.title, a.assessed_on]
            out.append({"cells": cells, "url": reverse("assessments:detail", args=[a.pk])})
    elif kind == "employer_contact":
        for c in records.select_related("employer__organisation").order_by("-contacted_on", "pk"):
            cells = [str(c.employer), c.contacted_on, c.get_outcome_display()]
            out.append({"cells": cells, "url": reverse("opportunities:employer_detail", args=[c.employer_id])})
    elif kind == "activity":
        report = reverse("paths:activity_report")  # an activity has no page of its own: the 20% report has it
        for a in records.select_related("organisation", "operator").order_by("-performed_on", "pk"):
            cells = [a.performed_on, a.get_kind_display(), str(a.operator), str(a.organisation), a.minutes]
            out.append({"cells": cells, "url": report})
    elif kind == "employer":
        for e in records.select_related("organisation").order_by("organisation__name"):
            cells = [str(e), e.law68_quota, e.law68_covered]
            out.append({"cells": cells, "url": reverse("opportunities:employer_detail", args=[e.pk])})
    return out


# Lazy: the headers are read in the language of each request, not of the process that imported the module.
RECORD_HEADERS = {
    "person": (gettext_lazy("Person"), gettext_lazy("Born in")),
    "case": (gettext_lazy("Person"), gettext_lazy("Unit"), gettext_lazy("Area"), gettext_lazy("Opened on")),
    "referral": (gettext_lazy("Person"), gettext_lazy("From → to"), gettext_lazy("Status"), gettext_lazy("Sent on")),
    "path": (
        gettext_lazy("Person"),
        gettext_lazy("Kind"),
        gettext_lazy("Host"),
        gettext_lazy("Start"),
        gettext_lazy("Ended on"),
    ),
    "event": (gettext_lazy("Person"), gettext_lazy("Event"), gettext_lazy("Date"), gettext_lazy("Discharge")),
    "assessment": (gettext_lazy("Person"), gettext_lazy("Instrument"), gettext_lazy("Date")),
    "employer_contact": (gettext_lazy("Employer"), gettext_lazy("Date"), gettext_lazy("Outcome")),
    "employer": (gettext_lazy("Employer"), gettext_lazy("Law 68 quota"), gettext_lazy("Places covered")),
    "activity": (
        gettext_lazy("Date"),
        gettext_lazy("Type"),
        gettext_lazy("Operator"),
        gettext_lazy("Organisation"),
        gettext_lazy("Minutes"),
    ),
}


@login_required
def indicator_records(request, key: str):
    """The records behind a figure that the user may see: a 404 for aggregate-only users and unknown keys."""
    definition = REGISTRY.get(key)
    _require(permissions.can_view_records(request.user) and definition is not None and definition.records is not None)
    form, chosen, scope = _scope_from(request)
    behind = definition.records(scope)
    total = behind.count()
    visible = behind.model.objects.restrict(request.user, "view").filter(pk__in=behind.values("pk"))
    rows = _record_rows(definition.record_kind, visible, request.user)
    if selectors.must_suppress(request.user, scope) and 0 < total - len(rows) < selectors.SMALL_CELL_LABEL:
        # The figure is suppressed for this user (not only their organisations): so is the count of the others.
        total = None
    audit_log(
        actor=request.user,
        action=Action.INDICATOR_RECORDS,
        detail={"indicator": key, "shown": len(rows), **_scope_detail(chosen)},
    )
    context = {
        "definition": definition,
        "form": form,
        "rows": rows,
        "headers": [str(h) for h in RECORD_HEADERS[definition.record_kind]],
        "total": total,
        "hidden": total is None or total > len(rows),
        "scope_label": _scope_label(chosen),
        "query": request.GET.urlencode(),
    }
    return render_page(request, "programmes/indicator_records.html", context)


@login_required
@require_POST
def manual_value_add(request, code: str, pk: int):
    """Record a value of a manual indicator with its evidence (coordinators)."""
    _require(permissions.can_record_manual_value(request.user))
    programme = get_restricted_or_404(Programme, request.user, "view", code=code)
    indicator = ProgrammeIndicator.objects.filter(programme=programme, pk=pk, indicator_key="").first()
    _require(indicator is not None)
    form = ManualValueForm(request.POST)
    if form.is_valid():
        try:
            services.manual_value_record(
                indicator=indicator,
                actor=request.user,
                on=form.cleaned_data["on"],
                value=form.cleaned_data["value"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Value recorded."))
            return redirect("programmes:detail", code=programme.code)
    context = {"programme": programme, "indicator": indicator, "form": form}
    return render_page(request, "programmes/manual_value_form.html", context, status=400)


# ------------------------------------------------------------------------- trends, territories, annual report

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def programme_trends(request, code: str):
    """Each indicator of the programme per quarter (per year for long ranges) of the chosen period against its
    target, as SVG charts with their tables; the programme page loads it with htmx."""
    from programmes.trends import periods, trend_series

    _require(permissions.can_view_programmes(request.user))
    programme = get_restricted_or_404(Programme, request.user, "view", code=code)
    form, chosen, scope = _scope_from(request, programme)
    trends = trend_series(
        request.user, programme, start=scope.start, end=scope.end, organisation_ids=scope.organisation_ids
    )
    audit_log(
        actor=request.user,
        action=Action.INDICATOR_VIEW,
        obj=programme,
        detail={"page": "trends", **_scope_detail(chosen)},
    )
    steps = periods(scope.start, scope.end)
    context = {
        "programme": programme,
        "form": form,
        "trends": trends,
        "by_year": bool(steps) and not steps[0].label.startswith("Q"),
        "scope_label": _scope_label(chosen),
        "query": request.GET.urlencode(),
        "suppressed": selectors.must_suppress(request.user, scope),
        "computed_at": timezone.now(),
    }
    return render_page(request, "programmes/trends.html", context, partial="trends")


def _comparison(request):
    from programmes.report_forms import ComparisonForm
    from programmes.territories import territory_table

    programmes = Programme.objects.restrict(request.user, "view").order_by("short_title")
    programme = programmes.filter(code=request.GET.get("programme", "")).first()
    start, end = default_period(programme)
    form = ComparisonForm(request.GET or None, default_start=start, default_end=end, programmes=programmes)
    if form.is_valid():
        start, end, programme = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["programme"]
    table = territory_table(request.user, start=start, end=end, programme=programme, today=timezone.localdate())
    detail = {"page": "territories", "start": start.isoformat(), "end": end.isoformat()}
    detail["programme"] = programme.code if programme else ""
    return form, programme, start, end, table, detail


@login_required
def territory_comparison(request):
    """A programme's indicators (or every registered one) side by side for each ASST's territory and the whole
    network, small counts suppressed for whoever may not see the persons; audited aggregate.view."""
    _require(permissions.can_view_programmes(request.user))
    form, programme, start, end, table, detail = _comparison(request)
    audit_log(actor=request.user, action=Action.AGGREGATE_VIEW, obj=programme, detail=detail)
    context = {
        "form": form,
        "programme": programme,
        "table": table,
        "start": start,
        "end": end,
        "query": request.GET.urlencode(),
        "statuses": dict(TargetStatus.choices),
        "computed_at": timezone.now(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "programmes/territories.html", context, partial="comparison", status=status)


@login_required
def territory_export(request, fmt: str):
    """The territory comparison as CSV or XLSX, suppressed as on the page; audited as data.export."""
    from programmes.territories import territory_rows

    _require(permissions.can_view_programmes(request.user) and fmt in ("csv", "xlsx"))
    _form, programme, start, end, table, detail = _comparison(request)
    rows = territory_rows(table)
    audit_log(actor=request.user, action=Action.EXPORT, obj=programme, detail={**detail, "format": fmt})
    name = f"ponte-territories-{programme.code if programme else 'indicators'}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(as_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def report_new(request, code: str):
    """Choose the territory and year of the programme's annual report and start it (it runs in the background)."""
    from programmes import report as reports
    from programmes import tasks
    from programmes.models import ProgrammeReport
    from programmes.report_forms import ReportForm

    _require(permissions.can_view_programmes(request.user))
    programme = get_restricted_or_404(Programme, request.user, "view", code=code)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = reports.report_start(
                actor=request.user,
                programme=programme,
                territory=form.cleaned_data["territory"],
                year=form.cleaned_data["year"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            tasks.build_report.enqueue(report_id=report.pk)
            return redirect("programmes:report_status", pk=report.pk)
    recent = (
        ProgrammeReport.objects.restrict(request.user)
        .filter(programme=programme)
        .select_related("territory", "job")
        .defer("pdf", "xlsx")[:5]
    )
    context = {"programme": programme, "form": form, "recent": recent}
    status = 400 if request.method == "POST" else 200
    return render_page(request, "programmes/report_form.html", context, status=status)


def _report(request, pk: int):
    from programmes.models import ProgrammeReport

    _require(permissions.can_view_programmes(request.user))
    queryset = ProgrammeReport.objects.select_related("programme", "territory", "job").defer("pdf", "xlsx")
    return get_restricted_or_404(ProgrammeReport, request.user, "view", queryset=queryset, pk=pk)


@login_required
def report_status(request, pk: int):
    """A report being built: a progress bar the page polls, then the PDF and XLSX downloads."""
    from programmes.models import ProgrammeReport

    report = _report(request, pk)
    working = report.job is not None and not report.job.is_finished
    if getattr(request, "htmx", False) and not working:
        # The poll sees the work finished: htmx reloads the whole page to show the downloads.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    stored = ProgrammeReport.objects.filter(pk=report.pk)
    context = {
        "report": report,
        "job": report.job,
        "working": working,
        "has_pdf": not working and stored.exclude(pdf=b"").exists(),
        "has_xlsx": not working and stored.exclude(xlsx=b"").exists(),
    }
    return render_page(request, "programmes/report_status.html", context, partial="progress" if working else None)


@login_required
def report_download(request, pk: int, fmt: str):
    """The report's PDF or XLSX, for the user who asked for it; audited as data.export."""
    from programmes.models import ProgrammeReport

    _require(fmt in ("pdf", "xlsx"))
    report = _report(request, pk)
    content = ProgrammeReport.objects.filter(pk=report.pk).values_list(fmt, flat=True).first()
    _require(bool(content))
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        obj=report.programme,
        detail={"what": "programme_report", "report": report.pk, "format": fmt, "year": report.year,
                "territory": report.territory.code if report.territory else ""},
    )  # fmt: skip
    territory = report.territory.code if report.territory else "network"
    name = f"ponte-{report.programme.code}-{report.year}-{territory}.{fmt}"
    content_type = "application/pdf" if fmt == "pdf" else XLSX_CONTENT_TYPE
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
