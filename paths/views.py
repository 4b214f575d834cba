"""Pages of paths, follow-up, events, the activity log and report, and training groups.

Every page reaches rows through `restrict()` (get_restricted_or_404 for one row): another organisation's path,
follow-up, enrolment or group change is a 404 identical to a missing one. Writes go through paths.services;
their ValidationErrors land on the forms. Aggregate-only roles find only the outcome counts.
"""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import access_for
from accounts.choices import Role
from audit.choices import Action
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from core.exceptions import StaleObjectError
from core.forms import add_service_errors
from core.htmx import render_page
from opportunities.choices import ProposalStatus
from opportunities.models import Proposal
from paths import flow, permissions, selectors, services
from paths.choices import INTERNSHIP_KINDS, EventKind, PathStatus
from paths.forms import (
    ActivityForm,
    AttendanceForm,
    ConvertForm,
    EnrolForm,
    EvaluationForm,
    EventForm,
    FollowUpForm,
    GroupForm,
    GroupStatusForm,
    PathForm,
    PeriodForm,
    SessionForm,
    TransitionForm,
)
from paths.models import Activity, Enrolment, FollowUp, GroupSession, Path, PathChange, TrainingGroup
from people.models import Person


def _require(flag: bool) -> None:
    if not flag:
        raise Http404


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------- a person's paths


def _event_kinds_for(user, person) -> list[EventKind]:
    kinds = []
    if permissions.can_record_hospitalisation(user, person):
        kinds.append(EventKind.HOSPITALISATION)
    if permissions.can_record_drop_out(user, person):
        kinds.append(EventKind.DROP_OUT)
    return kinds


@login_required
def person_paths(request, person_pk: int, *, event_form=None, status: int = 200):
    """The person's paths as a timeline, newest first, with the events the user may see."""
    user = request.user
    person = get_restricted_or_404(Person, user, "view", pk=person_pk)
    _require(permissions.can_view_paths_of(user, person))
    paths = list(
        selectors.paths_of_person(user, person).prefetch_related(
            Prefetch("changes", queryset=PathChange.objects.select_related("by"))
        )
    )
    events = list(selectors.events_of_person(user, person))
    kinds = _event_kinds_for(user, person)
    if kinds and event_form is None:
        event_form = EventForm(
            kinds=kinds, paths=Path.objects.restrict(user, "change").filter(person=person).select_related("host")
        )
    can_plan = permissions.can_plan_path(user, person)
    ready = []
    if can_plan:
        # Accepted proposals that no path has started from yet: each offers "start a path" with its details.
        ready = list(
            Proposal.objects.restrict(user, "view")
            .filter(person=person, status=ProposalStatus.ACCEPTED, path__isnull=True)
            .select_related("opportunity__employer__organisation", "opportunity__organisation")
            .order_by("-proposed_on", "-pk")
        )
    audit_log(actor=user, action=Action.PATH_VIEW, obj=person, detail={"page": "person_paths"})
    context = {
        "person": person,
        "paths": paths,
        "events": events,
        "can_plan": can_plan,
        "ready_proposals": ready,
        "event_form": event_form if kinds else None,
    }
    return render_page(request, "paths/person_paths.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def path_create(request, person_pk: int):
    """Plan a path; from an accepted proposal (?proposal=) the kind, host, opportunity and dates are filled in."""
    user = request.user
    person = get_restricted_or_404(Person, user, "change", pk=person_pk)
    _require(permissions.can_plan_path(user, person))
    proposal = None
    proposal_pk = request.POST.get("proposal") or request.GET.get("proposal")
    if proposal_pk:
        proposal = get_restricted_or_404(
            Proposal, user, "view", queryset=Proposal.objects.select_related("opportunity__employer"), pk=proposal_pk
        )
    initial = {}
    if proposal is not None:
        initial = {k: v for k, v in services.path_defaults_from_proposal(proposal).items() if k != "proposal"}
        initial["opportunity"] = None
    form = PathForm(request.POST if request.method == "POST" else None, user=user, person=person, initial=initial)
    context = {"person": person, "form": form, "proposal": proposal}
    if request.method != "POST" or not form.is_valid():
        return render_page(request, "paths/path_form.html", context)
    data = dict(form.cleaned_data)
    case = data.pop("case")
    if proposal is not None:
        data["proposal"] = proposal
        data["opportunity"] = proposal.opportunity
    try:
        path = services.path_create(actor=user, person=person, case=case, **data)
    except ValidationError as error:
        add_service_errors(form, error)
        return render_page(request, "paths/path_form.html", context)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("The path was planned."))
    return redirect("paths:detail", pk=path.pk)


# ---------------------------------------------------------------------------------------------- one path


def _path_queryset():
    return Path.objects.select_related(
        "person", "host", "organisation", "case__unit", "service_tutor", "opportunity", "previous", "next"
    )


def _timeline(path: Path, changes, events, follow_ups) -> list[dict]:
    """The path's history in date order: state changes, events, follow-up checks done."""
    items = [{"on": c.on, "kind": "change", "obj": c} for c in changes]
    items += [{"on": e.occurred_on, "kind": "event", "obj": e} for e in events]
    items += [{"on": f.done_on, "kind": "follow_up", "obj": f} for f in follow_ups if f.done_on]
    return sorted(items, key=lambda item: item["on"])


def _path_page(request, path: Path, *, forms=None, stale=False, status: int = 200):
    user = request.user
    forms = forms or {}
    can_change = permissions.can_change_path(user, path) and path.is_open
    changes = list(path.changes.select_related("by"))
    events = list(selectors.events_of_person(user, path.person).filter(path=path))
    follow_ups = list(path.follow_ups.all())
    attendance = list(path.attendance.all())
    today = _today()
    for f in follow_ups:
        f.overdue = f.is_overdue(today)
        if can_change and not f.done_on and not f.cancelled:
            f.form = forms.get(("follow_up", f.pk)) or FollowUpForm(prefix=f"fu{f.pk}")
    context = {
        "path": path,
        "person": path.person,
        "timeline": _timeline(path, changes, events, follow_ups),
        "follow_ups": follow_ups,
        "attendance": attendance,
        "indemnity_total": sum((a.indemnity_due for a in attendance), Decimal("0.00")),
        "is_internship": path.kind in INTERNSHIP_KINDS,
        "can_change": can_change,
        "stale": stale,
    }
    if can_change:
        context["transition_form"] = forms.get("transition") or TransitionForm(initial={"version": path.version})
        if path.kind in INTERNSHIP_KINDS:
            context["attendance_form"] = forms.get("attendance") or AttendanceForm()
            if path.status == PathStatus.ACTIVE:
                context["convert_form"] = forms.get("convert") or ConvertForm(
                    initial={"version": path.version, "starts_on": today}
                )
    audit_log(actor=user, action=Action.PATH_VIEW, obj=path, person=path.person)
    return render_page(request, "paths/path_detail.html", context, status=status)


@login_required
def path_detail(request, pk: int):
    """A path: its details, timeline, attendance and indemnity, follow-up checks; its team acts here."""
    path = get_restricted_or_404(Path, request.user, "view", queryset=_path_queryset(), pk=pk)
    return _path_page(request, path)


def _changeable_path(request, pk: int) -> Path:
    return get_restricted_or_404(Path, request.user, "change", queryset=_path_queryset(), pk=pk)


@login_required
@require_POST
def path_transition(request, pk: int):
    """Move the path to another state (with the reason of an interruption)."""
    path = _changeable_path(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.path_transition(
                actor=request.user,
                path=path,
                to_status=data["to_status"],
                on=data["on"],
                reason=data["reason"],
                note=data["note"],
                version=data["version"],
            )
        except StaleObjectError:
            path.refresh_from_db()
            data = form.data.copy()
            data["version"] = str(path.version)
            return _path_page(request, path, forms={"transition": TransitionForm(data)}, stale=True, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The path's status was changed."))
            return redirect("paths:detail", pk=path.pk)
    path.refresh_from_db()
    return _path_page(request, path, forms={"transition": form}, status=400)


@login_required
@require_POST
def path_convert(request, pk: int):
    """Convert an active internship to a hiring; go to the hiring."""
    path = _changeable_path(request, pk)
    form = ConvertForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            hiring = services.path_convert_to_hiring(
                actor=request.user,
                path=path,
                kind=data["kind"],
                starts_on=data["starts_on"],
                planned_end_on=data["planned_end_on"],
                hours_per_week=data["hours_per_week"],
                version=data["version"],
            )
        except StaleObjectError:
            path.refresh_from_db()
            return _path_page(request, path, forms={"convert": form}, stale=True, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The internship was converted to a hiring; the follow-up checks are scheduled.")
            )
            return redirect("paths:detail", pk=hiring.pk)
    path.refresh_from_db()
    return _path_page(request, path, forms={"convert": form}, status=400)


@login_required
@require_POST
def path_attendance(request, pk: int):
    """Enter a month of attendance; the indemnity due is computed."""
    path = _changeable_path(request, pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            row = services.attendance_record(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Attendance of %(month)s recorded: indemnity due €%(due)s.")
                % {"month": row.month.strftime("%m/%Y"), "due": row.indemnity_due},
            )
            return redirect("paths:detail", pk=path.pk)
    return _path_page(request, path, forms={"attendance": form}, status=400)


@login_required
@require_POST
def follow_up_record(request, pk: int):
    """Record a job-maintenance check."""
    follow_up = get_restricted_or_404(FollowUp, request.user, "change", pk=pk)
    path = _changeable_path(request, follow_up.path_id)
    form = FollowUpForm(request.POST, prefix=f"fu{follow_up.pk}")
    if form.is_valid():
        try:
            services.follow_up_record(actor=request.user, follow_up=follow_up, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The check was recorded."))
            if request.POST.get("next") == "agenda":
                return redirect("paths:agenda")
            return redirect("paths:detail", pk=path.pk)
    return _path_page(request, path, forms={("follow_up", follow_up.pk): form}, status=400)


@login_required
@require_POST
def event_create(request, person_pk: int):
    """Record a hospitalisation (treating clinicians) or a drop-out (the treating team)."""
    user = request.user
    person = get_restricted_or_404(Person, user, "view", pk=person_pk)
    kinds = _event_kinds_for(user, person)
    _require(bool(kinds))
    form = EventForm(
        request.POST,
        kinds=kinds,
        paths=Path.objects.restrict(user, "change").filter(person=person).select_related("host"),
    )
    if form.is_valid():
        try:
            services.event_record(actor=user, person=person, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The event was recorded."))
            return redirect("paths:person", person_pk=person.pk)
    return person_paths(request, person_pk, event_form=form, status=400)


# ---------------------------------------------------------------------------------------------- follow-up agenda


@login_required
def agenda(request):
    """The operator's follow-up checks not done yet, overdue first; a coordinator may see the whole team's."""
    user = request.user
    _require(access_for(user).sees_persons)
    whole_team = request.GET.get("team") == "1" and bool(access_for(user).org_ids({Role.COORDINATOR}))
    today = _today()
    rows = list(selectors.follow_up_agenda(user, today=today, whole_team=whole_team)[:200])
    for f in rows:
        f.overdue = f.is_overdue(today)
        f.due = f.due_on <= today
    context = {
        "rows": rows,
        "whole_team": whole_team,
        "can_see_team": bool(access_for(user).org_ids({Role.COORDINATOR})),
        "overdue": sum(1 for f in rows if f.overdue),
        "today": today,
    }
    return render_page(request, "paths/agenda.html", context, partial="results")


# ---------------------------------------------------------------------------------------------- activities


def _gauge(user, *, start, end, programme_code):
    org_ids = access_for(user).person_org_ids
    return selectors.ceiling_status(organisation_ids=org_ids, programme_code=programme_code, start=start, end=end)


@login_required
@require_http_methods(["GET", "POST"])
def activity_log(request):
    """The activity log with quick entry; a non-attributable activity crossing the ceiling asks for confirmation."""
    user = request.user
    _require(permissions.can_use_activity_log(user))
    form = ActivityForm(request.POST if request.method == "POST" else None, user=user)
    over_ceiling = False
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_record(actor=user, **form.cleaned_data)
        except ValidationError as error:
            over_ceiling = getattr(error, "code", None) == services.OVER_CEILING
            if over_ceiling:
                form.show_confirmation()
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The activity was recorded."))
            return redirect("paths:activities")
    today = _today()
    start = datetime.date(today.year, 1, 1)
    recent = list(
        Activity.objects.restrict(user, "view")
        .filter(operator=user)
        .select_related("person")
        .order_by("-performed_on", "-pk")[:30]
    )
    context = {
        "form": form,
        "recent": recent,
        "over_ceiling": over_ceiling,
        "gauge": _gauge(user, start=start, end=datetime.date(today.year, 12, 31), programme_code="TR106"),
        "period_start": start,
    }
    return render_page(request, "paths/activity_log.html", context, status=400 if request.method == "POST" else 200)


@login_required
def activity_report(request):
    """The programme-period view: the 20% gauge, activities by type and by operator, the export for coordinators."""
    user = request.user
    _require(permissions.can_view_activity_report(user))
    period = PeriodForm(request.GET)
    start, end, code = period.period()
    qs = selectors.activities_for_period(user, start=start, end=end, programme_code=code)
    by_operator = list(
        qs.order_by()
        .values("operator__username", "operator__first_name", "operator__last_name")
        .annotate(minutes=Sum("minutes"))
        .order_by("operator__last_name", "operator__username")
    )
    context = {
        "period": period,
        "start": start,
        "end": end,
        "programme_code": code,
        "gauge": _gauge(user, start=start, end=end, programme_code=code),
        "by_kind": selectors.activity_kind_counts(qs),
        "by_operator": by_operator,
        "can_export": permissions.can_export_activities(user),
    }
    audit_log(actor=user, action=Action.AGGREGATE_VIEW, detail={"page": "activity_report", "from": str(start)})
    return render_page(request, "paths/activity_report.html", context)


@login_required
def activity_export(request):
    """The period's activities of the coordinator's organisations as the regional flow file (checked first)."""
    user = request.user
    _require(permissions.can_export_activities(user))
    start, end, code = PeriodForm(request.GET).period()
    coordinated = access_for(user).org_ids({Role.COORDINATOR})
    qs = selectors.activities_for_period(user, start=start, end=end, programme_code=code).filter(
        organisation_id__in=coordinated
    )
    try:
        text = flow.write_file(qs)
    except ValidationError as error:
        for message in error.messages[:10]:
            messages.error(request, message)
        query = urlencode({"start": start, "end": end, "programme_code": code})
        return redirect(f"{reverse('paths:activity_report')}?{query}")
    audit_log(
        actor=user,
        action=Action.EXPORT,
        detail={"what": "activity_flow", "from": str(start), "to": str(end), "programme": code, "rows": qs.count()},
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attivita-{code}-{start}-{end}.csv"'
    return response


@login_required
def outcomes(request):
    """Seed 000's counts of a period: courses, internships, hirings, hospitalisations, drop-outs."""
    user = request.user
    _require(permissions.can_view_outcomes(user))
    start, end, _code = PeriodForm(request.GET).period()
    counts = selectors.outcome_counts(start=start, end=end)
    audit_log(actor=user, action=Action.AGGREGATE_VIEW, detail={"page": "path_outcomes", "from": str(start)})
    return render_page(request, "paths/outcomes.html", {"counts": counts, "start": start, "end": end})


# ---------------------------------------------------------------------------------------------- groups


def _year(request) -> int:
    """The catalogue's year from ?year=, this year when missing or not a plausible year."""
    try:
        year = int(request.GET.get("year") or _today().year)
    except ValueError:
        return _today().year
    return year if 2000 <= year <= 2100 else _today().year


def _catalogue(user, year: int) -> list[TrainingGroup]:
    """The year's groups the user reads, by title, with conductors and sessions."""
    return list(
        TrainingGroup.objects.restrict(user, "view")
        .filter(year=year)
        .select_related("organisation", "partner_organisation", "conductor", "co_conductor")
        .prefetch_related("sessions")
        .order_by("title")
    )


@login_required
def group_list(request):
    """The yearly catalogue of training and information groups."""
    user = request.user
    _require(permissions.can_view_groups(user))
    year = _year(request)
    groups = _catalogue(user, year)
    context = {"groups": groups, "year": year, "can_plan": permissions.can_plan_group(user)}
    template = "paths/group_brochure.html" if request.GET.get("print") == "1" else "paths/group_list.html"
    return render_page(request, template, context)


@login_required
def group_brochure_pdf(request):
    """The yearly catalogue of groups with their sessions as a PDF brochure (WeasyPrint, imported here so that the
    rest of Ponte runs without it; without it the printable page `?print=1` remains).
    """
    user = request.user
    _require(permissions.can_view_groups(user))
    year = _year(request)
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        return HttpResponse(
            _(
                "PDF printing is not installed on this server (WeasyPrint and its Pango library). "
                "Ask the administrator."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    context = {"groups": _catalogue(user, year), "year": year, "printed_at": timezone.localtime()}
    html = render_to_string("paths/group_brochure_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="gruppi-{year}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    user = request.user
    _require(permissions.can_plan_group(user))
    form = GroupForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group was added to the catalogue."))
            return redirect("paths:group", pk=group.pk)
    return render_page(request, "paths/group_form.html", {"form": form})


def _group_queryset():
    return TrainingGroup.objects.select_related("organisation", "partner_organisation", "conductor", "co_conductor")


def _group_page(request, group, *, forms=None, status=200):
    user = request.user
    forms = forms or {}
    can_change = permissions.can_change_group(user, group)
    units = permissions.enrolling_units(user)
    participants = list(selectors.group_participants(user, group))
    context = {
        "group": group,
        "sessions": list(group.sessions.all()),
        "participants": participants,
        "enrolled": sum(1 for p in participants if p.status == "enrolled"),
        "can_change": can_change,
        "session_form": forms.get("session") or (SessionForm() if can_change else None),
        "status_form": GroupStatusForm(initial={"status": group.status}) if can_change else None,
        "enrol_form": forms.get("enrol") or (EnrolForm(user=user, units=units) if units.exists() else None),
    }
    return render_page(request, "paths/group_detail.html", context, status=status)


@login_required
def group_detail(request, pk: int):
    """A group: its sessions, its participants (those the user's organisation referred or conducts) and enrolment."""
    _require(permissions.can_view_groups(request.user))
    group = get_restricted_or_404(TrainingGroup, request.user, "view", queryset=_group_queryset(), pk=pk)
    return _group_page(request, group)


def _changeable_group(request, pk):
    return get_restricted_or_404(TrainingGroup, request.user, "change", queryset=_group_queryset(), pk=pk)


@login_required
@require_POST
def group_status(request, pk: int):
    group = _changeable_group(request, pk)
    form = GroupStatusForm(request.POST)
    if form.is_valid():
        services.group_set_status(actor=request.user, group=group, status=form.cleaned_data["status"])
        messages.success(request, _("The group's status was changed."))
    return redirect("paths:group", pk=group.pk)


@login_required
@require_POST
def session_add(request, pk: int):
    group = _changeable_group(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        starts_at, ends_at = form.datetimes()
        try:
            services.session_add(
                actor=request.user,
                group=group,
                starts_at=starts_at,
                ends_at=ends_at,
                subject=form.cleaned_data["subject"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The session was added."))
            return redirect("paths:group", pk=group.pk)
    return _group_page(request, group, forms={"session": form}, status=400)


@login_required
@require_POST
def group_enrol(request, pk: int):
    """A Polo Lavoro enrols a person; past capacity they go on the waiting list."""
    _require(permissions.can_view_groups(request.user))
    group = get_restricted_or_404(TrainingGroup, request.user, "view", queryset=_group_queryset(), pk=pk)
    units = permissions.enrolling_units(request.user)
    _require(units.exists())
    form = EnrolForm(request.POST, user=request.user, units=units)
    if form.is_valid():
        try:
            enrolment = services.enrol(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            if enrolment.status == "waiting":
                messages.warning(request, _("The group is full: the person is on the waiting list."))
            else:
                messages.success(request, _("The person was enrolled."))
            return redirect("paths:group", pk=group.pk)
    return _group_page(request, group, forms={"enrol": form}, status=400)


@login_required
@require_POST
def enrolment_withdraw(request, pk: int):
    enrolment = get_restricted_or_404(Enrolment, request.user, "change", pk=pk)
    try:
        promoted = services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The participant was withdrawn."))
        if promoted is not None:
            messages.info(request, _("The first person on the waiting list took the place."))
    return redirect("paths:group", pk=enrolment.group_id)


@login_required
@require_http_methods(["GET", "POST"])
def session_register(request, pk: int):
    """The session register: one checkbox per enrolled participant."""
    session = get_restricted_or_404(
        GroupSession, request.user, "change", queryset=GroupSession.objects.select_related("group"), pk=pk
    )
    enrolled = list(
        Enrolment.objects.restrict(request.user, "view")
        .filter(group=session.group, status="enrolled")
        .select_related("person", "referring_unit")
    )
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        services.register_record(actor=request.user, session=session, present=present)
        messages.success(request, _("The register was saved."))
        return redirect("paths:group", pk=session.group_id)
    marks = dict(session.register.values_list("enrolment_id", "present"))
    for enrolment in enrolled:
        enrolment.present = marks.get(enrolment.pk)
    return render_page(request, "paths/session_register.html", {"session": session, "enrolled": enrolled})


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@login_required
def group_calendar(request, pk: int):
    """The group's sessions as an iCalendar file."""
    _require(permissions.can_view_groups(request.user))
    group = get_restricted_or_404(TrainingGroup, request.user, "view", pk=pk)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ponte//Training groups//IT", "CALSCALE:GREGORIAN"]
    for session in group.sessions.all():
        lines += [
            "BEGIN:VEVENT",
            f"UID:ponte-group-session-{session.pk}@{request.get_host()}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{session.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{session.ends_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ics_text(group.title + (' – ' + session.subject if session.subject else ''))}",
            f"LOCATION:{_ics_text(group.place)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gruppo-{group.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_feedback(request, pk: int):
    """The end-of-group report on one participant for the referring team; the conductors write the evaluation."""
    enrolment = get_restricted_or_404(
        Enrolment,
        request.user,
        "view",
        queryset=Enrolment.objects.select_related(
            "group__conductor", "group__co_conductor", "person", "referring_unit"
        ),
        pk=pk,
    )
    can_evaluate = permissions.can_change_group(request.user, enrolment.group)
    form = None
    if can_evaluate:
        initial = {
            "score_before": enrolment.score_before,
            "score_after": enrolment.score_after,
            "conductors_note": enrolment.conductors_note,
        }
        form = EvaluationForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.evaluation_record(actor=request.user, enrolment=enrolment, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The evaluation was saved."))
                return redirect("paths:feedback", pk=enrolment.pk)
    elif request.method == "POST":
        raise Http404
    audit_log(
        actor=request.user, action=Action.PATH_VIEW, obj=enrolment, person=enrolment.person, detail={"feedback": True}
    )
    context = {"enrolment": enrolment, "report": selectors.feedback_report(enrolment), "form": form}
    return render_page(request, "paths/feedback.html", context)
