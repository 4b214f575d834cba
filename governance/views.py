"""Governance pages: the home (agreements, meetings, renewals and overdue decisions), agreements, meetings and
their decisions. Thin: forms collect, services validate and write, selectors read through restrict()."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.shortcuts import get_restricted_or_404
from core.forms import add_service_errors
from core.htmx import render_page
from governance import permissions, selectors, services
from governance.forms import AgreementFilterForm, AgreementForm, DecisionDoneForm, DecisionForm, MeetingForm
from governance.models import Agreement, Decision, Meeting


def _require(flag: bool) -> None:
    if not flag:
        raise Http404


@login_required
def home(request):
    """Agreements (filtered by status and programme), meetings to come and held, renewals due, overdue decisions."""
    _require(permissions.can_view_governance(request.user))
    today = timezone.localdate()
    filters = AgreementFilterForm(request.GET or None)
    chosen = filters.chosen()
    context = {
        "filters": filters,
        "agreements": list(selectors.agreements_for(request.user, **chosen)),
        "to_renew": list(selectors.agreements_to_renew(request.user, today=today)),
        "upcoming": selectors.upcoming_meetings(request.user, today=today),
        "past": selectors.past_meetings(request.user, today=today),
        "overdue": list(selectors.open_decisions_past_due(request.user, today=today)),
        "can_govern": permissions.can_govern(request.user),
        "today": today,
        "window": selectors.RENEWAL_WINDOW_DAYS,
    }
    return render_page(request, "governance/home.html", context, partial="agreements")


def _agreement_kwargs(data) -> dict:
    return {
        "title": data["title"],
        "programme": data["programme"],
        "parties": data["parties"],
        "status": data["status"],
        "signed_on": data["signed_on"],
        "renewal_on": data["renewal_on"],
        "next_priorities": data["next_priorities"],
        "notes": data["notes"],
    }


def _agreement_form_page(request, form, agreement=None, status=200):
    return render_page(request, "governance/agreement_form.html", {"form": form, "agreement": agreement}, status=status)


@login_required
def agreement_create(request):
    _require(permissions.can_govern(request.user))
    if request.method != "POST":
        return _agreement_form_page(request, AgreementForm())
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            agreement = services.agreement_save(actor=request.user, **_agreement_kwargs(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("governance:agreement_detail", pk=agreement.pk)
    return _agreement_form_page(request, form, status=400)


@login_required
def agreement_detail(request, pk: int):
    _require(permissions.can_view_governance(request.user))
    agreement = get_restricted_or_404(
        Agreement,
        request.user,
        "view",
        queryset=Agreement.objects.select_related("programme", "organisation", "created_by"),
        pk=pk,
    )
    context = {
        "agreement": agreement,
        "parties": list(agreement.parties.order_by("name")),
        "meetings": list(
            Meeting.objects.restrict(request.user, "view").filter(programme_id=agreement.programme_id)[:10]
        )
        if agreement.programme_id
        else [],
        "can_change": permissions.can_change_agreement(request.user, agreement),
    }
    return render_page(request, "governance/agreement_detail.html", context)


@login_required
def agreement_edit(request, pk: int):
    agreement = get_restricted_or_404(Agreement, request.user, "change", pk=pk)
    if request.method != "POST":
        return _agreement_form_page(request, AgreementForm(initial=AgreementForm.initial_for(agreement)), agreement)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_save(actor=request.user, agreement=agreement, **_agreement_kwargs(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Agreement saved."))
            return redirect("governance:agreement_detail", pk=agreement.pk)
    return _agreement_form_page(request, form, agreement, status=400)


def _meeting_kwargs(data) -> dict:
    return {key: data[key] for key in MeetingForm.base_fields}


def _organiser_ids(user, meeting=None) -> set[int]:
    ids = set(permissions.governing_org_ids(user))
    if meeting is not None:
        ids.add(meeting.organisation_id)
    return ids


def _meeting_form_page(request, form, meeting=None, status=200):
    return render_page(request, "governance/meeting_form.html", {"form": form, "meeting": meeting}, status=status)


@login_required
def meeting_create(request):
    _require(permissions.can_govern(request.user))
    organisers = _organiser_ids(request.user)
    if request.method != "POST":
        initial = {"held_on": timezone.localdate()}
        if len(organisers) == 1:
            initial["organisation"] = next(iter(organisers))
        return _meeting_form_page(request, MeetingForm(initial=initial, organiser_ids=organisers))
    form = MeetingForm(request.POST, organiser_ids=organisers)
    if form.is_valid():
        try:
            meeting = services.meeting_save(actor=request.user, **_meeting_kwargs(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("governance:meeting_detail", pk=meeting.pk)
    return _meeting_form_page(request, form, status=400)


@login_required
def meeting_detail(request, pk: int):
    _require(permissions.can_view_governance(request.user))
    meeting = get_restricted_or_404(
        Meeting,
        request.user,
        "view",
        queryset=Meeting.objects.select_related("organisation", "programme", "created_by"),
        pk=pk,
    )
    return _meeting_detail_page(request, meeting)


def _meeting_detail_page(request, meeting, *, decision_form=None, status=200):
    can_change = permissions.can_change_meeting(request.user, meeting)
    decisions = list(meeting.decisions.select_related("owner_organisation", "owner_user", "done_by"))
    for decision in decisions:
        decision.can_mark = not decision.done and (
            can_change or permissions.can_mark_decision_done(request.user, decision)
        )
    context = {
        "meeting": meeting,
        "organisations": list(meeting.organisations.order_by("name")),
        "participants": list(meeting.participants.order_by("last_name", "first_name")),
        "decisions": decisions,
        "can_change": can_change,
        "decision_form": decision_form or (DecisionForm(meeting=meeting) if can_change else None),
        "today": timezone.localdate(),
    }
    return render_page(request, "governance/meeting_detail.html", context, status=status)


@login_required
def meeting_edit(request, pk: int):
    meeting = get_restricted_or_404(Meeting, request.user, "change", pk=pk)
    organisers = _organiser_ids(request.user, meeting)
    if request.method != "POST":
        form = MeetingForm(initial=MeetingForm.initial_for(meeting), organiser_ids=organisers)
        return _meeting_form_page(request, form, meeting)
    form = MeetingForm(request.POST, organiser_ids=organisers)
    if form.is_valid():
        try:
            services.meeting_save(actor=request.user, meeting=meeting, **_meeting_kwargs(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("governance:meeting_detail", pk=meeting.pk)
    return _meeting_form_page(request, form, meeting, status=400)


@login_required
@require_POST
def decision_add(request, pk: int):
    meeting = get_restricted_or_404(Meeting, request.user, "change", pk=pk)
    form = DecisionForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.decision_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Decision added."))
            return redirect("governance:meeting_detail", pk=meeting.pk)
    return _meeting_detail_page(request, meeting, decision_form=form, status=400)


@login_required
@require_POST
def decision_done(request, pk: int):
    decision = get_restricted_or_404(
        Decision, request.user, "view", queryset=Decision.objects.select_related("meeting"), pk=pk
    )
    _require(permissions.can_mark_decision_done(request.user, decision))
    form = DecisionDoneForm(request.POST)
    done_on = form.cleaned_data["done_on"] if form.is_valid() else None
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
    else:
        try:
            services.decision_mark_done(actor=request.user, decision=decision, done_on=done_on)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Decision marked done."))
    return redirect("governance:meeting_detail", pk=decision.meeting_id)
