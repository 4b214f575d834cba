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
from django.views.decorators.http import require_POST

from audit.choices import Action
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from cases.selectors import person_visible_to
from core.forms import add_service_errors
from core.htmx import render_page
from programmes import permissions, selectors, services
from programmes.charts import bar_chart
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
    audit_log(actor=request.user, action=Action.AGGREGATE_VIEW, detail={"page": "indicators", **_scope_detail(chosen)})
    context = {
        "form": form,
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
    return render_page(request, "programmes/dashboard.html", context, partial="figures")


@login_required
def dashboard_export(request, fmt: str):
    """The dashboard's tables as CSV or XLSX, suppressed as on the page; audited as data.export."""
    _require(permissions.can_view_dashboard(request.user))
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, chosen, scope = _scope_from(request)
    cohort, figures, diagnosis = _dashboard_figures(request.user, scope)
    rows = figure_rows([*cohort, diagnosis, *figures], scope_label=_scope_label(chosen))
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
    elif kind == "assessment":
        for a in records.select_related("person", "instrument_version__instrument").order_by("-assessed_on", "pk"):
            cells = [str(a.person), a.instrument_version.instrument.title, a.assessed_on]
            out.append({"cells": cells, "url": reverse("assessments:detail", args=[a.pk])})
    elif kind == "employer_contact":
        for c in records.select_related("employer__organisation").order_by("-contacted_on", "pk"):
            cells = [str(c.employer), c.contacted_on, c.get_outcome_display()]
            out.append({"cells": cells, "url": reverse("opportunities:employer_detail", args=[c.employer_id])})
    elif kind == "employer":
        for e in records.select_related("organisation").order_by("organisation__name"):
            cells = [str(e), e.law68_quota, e.law68_covered]
            out.append({"cells": cells, "url": reverse("opportunities:employer_detail", args=[e.pk])})
    return out


RECORD_HEADERS = {
    "person": (_("Person"), _("Born in")),
    "case": (_("Person"), _("Unit"), _("Area"), _("Opened on")),
    "referral": (_("Person"), _("From → to"), _("Status"), _("Sent on")),
    "assessment": (_("Person"), _("Instrument"), _("Date")),
    "employer_contact": (_("Employer"), _("Date"), _("Outcome")),
    "employer": (_("Employer"), _("Law 68 quota"), _("Places covered")),
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
        "hidden": total - len(rows),
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
