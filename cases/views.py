"""Home page (caseload and referral inbox), referrals and cases.

Every page reaches rows through `restrict()` (get_restricted_or_404 for one row): another organisation's
referral or case is a 404 identical to a missing one, and the attempt is audited. Roles without person-level
access find none of these pages. Writes go through cases.services; their ValidationErrors land on the forms.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import access_for
from audit.choices import Action
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from cases import services
from cases.choices import ReferralStatus
from cases.filters import ALL, ReferralFilterForm
from cases.forms import (
    CaseAssignForm,
    CaseCloseForm,
    CaseOpenForm,
    ReferralAcceptForm,
    ReferralForm,
    ReferralRejectForm,
)
from cases.models import Case, Referral
from cases.selectors import (
    caseload_for,
    network_counts,
    person_visible_to,
    referral_inbox_for,
    referral_outbox_for,
)
from core.exceptions import StaleObjectError
from core.forms import add_service_errors
from core.home_sections import render_home_sections
from core.htmx import render_page
from people.choices import SECTION_IDENTITY
from people.models import Person
from people.permissions import visible_sections

HOME_INBOX_SIZE = 10


def _require_person_access(user) -> None:
    """Roles without person-level access (aggregate-only, company, sysadmin, DPO) find no such page."""
    if not access_for(user).sees_persons:
        raise Http404


def _has_code(error: ValidationError, code: str) -> bool:
    """Whether one of the error's messages carries `code` (e.g. the service's "no_consent")."""
    if hasattr(error, "error_dict"):
        items = [item for field_items in error.error_dict.values() for item in field_items]
    else:
        items = error.error_list
    return any(getattr(item, "code", None) == code for item in items)


def _waiting_referrals_count(user):
    """An annotation of cases: the person's referrals waiting, among those `user` sees."""
    waiting = (
        Referral.objects.restrict(user, "view")
        .filter(person_id=OuterRef("person_id"), status=ReferralStatus.SENT)
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(waiting, output_field=IntegerField()), 0)


# ---------------------------------------------------------------------------------------------- home


@login_required
def home(request):
    """The morning view: my caseload and the referrals waiting; counts only for aggregate-only roles."""
    access = access_for(request.user)
    context = {"access": access}
    if access.sees_persons:
        context["caseload"] = list(
            caseload_for(request.user).annotate(waiting_referrals=_waiting_referrals_count(request.user))[:50]
        )
        inbox = referral_inbox_for(request.user)
        context["inbox"] = list(inbox.annotate(person_visible=person_visible_to(request.user))[:HOME_INBOX_SIZE])
        context["inbox_total"] = inbox.count()
    elif access.sees_aggregates:
        context["counts"] = network_counts()
        audit_log(actor=request.user, action=Action.AGGREGATE_VIEW, detail={"page": "home"})
    # What other apps contribute (overdue follow-up checks, ...): ADR 0015.
    context["sections"] = render_home_sections(request)
    return render_page(request, "cases/home.html", context)


# ---------------------------------------------------------------------------------------------- lists


def _referral_list(request, *, box: str):
    _require_person_access(request.user)
    default = ReferralStatus.SENT if box == "inbox" else ALL
    filters = ReferralFilterForm(request.GET, default_status=default)
    selector = referral_inbox_for if box == "inbox" else referral_outbox_for
    referrals = selector(request.user, status=filters.status_filter).annotate(
        person_visible=person_visible_to(request.user)
    )
    page = Paginator(referrals, filters.chosen_page_size).get_page(request.GET.get("page"))
    context = {"box": box, "filters": filters, "page": page}
    return render_page(request, "cases/referral_list.html", context, partial="results")


@login_required
def referral_inbox(request):
    """Referrals addressed to my organisations, waiting ones first by default."""
    return _referral_list(request, box="inbox")


@login_required
def referral_outbox(request):
    """Referrals my organisations sent."""
    return _referral_list(request, box="outbox")


# ---------------------------------------------------------------------------------------------- referral


def _referral_queryset():
    return Referral.objects.select_related(
        "person",
        "from_unit__organisation",
        "to_unit__organisation",
        "consent__organisation",
        "sent_by",
        "decided_by",
        "case__case_manager",
    )


def _referral_history(referral: Referral) -> list[tuple[str, object, object]]:
    """(what, when, who) of the referral's steps, in order."""
    steps = [(_("Sent"), referral.sent_at, referral.sent_by)]
    if referral.status == ReferralStatus.ACCEPTED and referral.decided_at:
        steps.append((_("Accepted"), referral.decided_at, referral.decided_by))
    elif referral.status == ReferralStatus.REJECTED and referral.decided_at:
        steps.append((_("Rejected"), referral.decided_at, referral.decided_by))
    elif referral.status == ReferralStatus.WITHDRAWN and referral.withdrawn_at:
        steps.append((_("Withdrawn"), referral.withdrawn_at, None))
    return steps


def _referral_page(request, referral: Referral, *, accept_form=None, reject_form=None, status: int = 200):
    """The referral as the sender or the receiver sees it; identity only, never the sender's clinical history."""
    user = request.user
    access = access_for(user)
    is_receiver = referral.to_organisation_id in access.write_org_ids
    is_sender = referral.from_organisation_id in access.write_org_ids
    waiting = referral.status == ReferralStatus.SENT
    can_decide = is_receiver and waiting
    if can_decide:
        accept_form = accept_form or ReferralAcceptForm(referral=referral, user=user)
        reject_form = reject_form or ReferralRejectForm()
    # The opened case belongs to the receiver: the sender does not reach it.
    case = referral.case if referral.case_id and referral.case.organisation_id in access.person_org_ids else None
    audit_log(actor=user, action=Action.REFERRAL_VIEW, obj=referral, person=referral.person)
    context = {
        "referral": referral,
        "person": referral.person,
        "show_identity": SECTION_IDENTITY in visible_sections(user, referral.person),
        "history": _referral_history(referral),
        "waiting_days": referral.waiting_time.days,
        "consent_active": referral.consent.is_active(),
        "case": case,
        "is_receiver": is_receiver,
        "is_sender": is_sender,
        "can_decide": can_decide,
        "can_withdraw": is_sender and waiting,
        "accept_form": accept_form,
        "reject_form": reject_form,
    }
    return render_page(request, "cases/referral_detail.html", context, status=status)


@login_required
def referral_detail(request, pk: int):
    """A referral: the person's identity, the request and its steps; the receiver decides here."""
    referral = get_restricted_or_404(Referral, request.user, "view", queryset=_referral_queryset(), pk=pk)
    return _referral_page(request, referral)


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request, person_pk: int):
    """Refer a person my organisation treats to a unit of another organisation (needs the sharing consent)."""
    person = get_restricted_or_404(Person, request.user, "change", pk=person_pk)
    form = ReferralForm(request.POST if request.method == "POST" else None, user=request.user)
    context = {"person": person, "form": form, "consent_missing": False}
    if request.method != "POST" or not form.is_valid():
        return render_page(request, "cases/referral_form.html", context)
    try:
        referral = services.referral_send(actor=request.user, person=person, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        context["consent_missing"] = _has_code(error, "no_consent")
        return render_page(request, "cases/referral_form.html", context)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(
        request,
        _("The referral was sent to %(unit)s.")
        % {"unit": f"{referral.to_unit.organisation} – {referral.to_unit.name}"},
    )
    return redirect("cases:referral_detail", pk=referral.pk)


@login_required
@require_POST
def referral_accept(request, pk: int):
    """Accept a waiting referral: a case opens at the receiving unit; go to it."""
    referral = get_restricted_or_404(Referral, request.user, "change", queryset=_referral_queryset(), pk=pk)
    form = ReferralAcceptForm(request.POST, referral=referral, user=request.user)
    if form.is_valid():
        try:
            case = services.referral_accept(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The referral was accepted and the case opened."))
            return redirect("cases:case_detail", pk=case.pk)
    referral.refresh_from_db()
    return _referral_page(request, referral, accept_form=form)


@login_required
@require_POST
def referral_reject(request, pk: int):
    """Reject a waiting referral with a reason; an htmx request with `_validate` only checks the reason."""
    referral = get_restricted_or_404(Referral, request.user, "change", queryset=_referral_queryset(), pk=pk)
    form = ReferralRejectForm(request.POST)
    valid = form.is_valid()
    if request.htmx and request.POST.get("_validate") == "reason":
        return render_page(
            request, "cases/referral_detail.html", {"referral": referral, "reject_form": form}, partial="reject_reason"
        )
    if valid:
        try:
            services.referral_reject(actor=request.user, referral=referral, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The referral was rejected; the sending team will read the reason."))
            return redirect("cases:referral_detail", pk=referral.pk)
    referral.refresh_from_db()
    return _referral_page(request, referral, reject_form=form)


@login_required
@require_POST
def referral_withdraw(request, pk: int):
    """The sending organisation withdraws a referral still waiting."""
    referral = get_restricted_or_404(Referral, request.user, "change", pk=pk)
    try:
        services.referral_withdraw(actor=request.user, referral=referral)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The referral was withdrawn."))
    return redirect("cases:referral_detail", pk=referral.pk)


# ---------------------------------------------------------------------------------------------- case


def _case_queryset():
    return Case.objects.select_related("person", "unit__organisation", "case_manager")


def _case_page(request, case: Case, *, close_form=None, assign_form=None, stale=False, status: int = 200):
    """A case of my organisation: identity, unit, area, manager, dates, and the referral that opened it."""
    user = request.user
    can_change = case.organisation_id in access_for(user).write_org_ids and case.is_open
    if can_change:
        close_form = close_form or CaseCloseForm(case=case)
        assign_form = assign_form or CaseAssignForm(case=case)
    referral = Referral.objects.filter(case=case).select_related("from_unit__organisation", "sent_by").first()
    audit_log(actor=user, action=Action.CASE_VIEW, obj=case, person=case.person)
    context = {
        "case": case,
        "person": case.person,
        "referral": referral,
        "can_change": can_change,
        "close_form": close_form,
        "assign_form": assign_form,
        "stale": stale,
    }
    return render_page(request, "cases/case_detail.html", context, status=status)


def _with_current_version(form, case: Case):
    """The user's input kept, on the version the case has now: submitting again is a knowing choice."""
    data = form.data.copy()
    data["version"] = str(case.version)
    return type(form)(data, case=case)


@login_required
def case_detail(request, pk: int):
    """A case; its organisation's team closes or reassigns it here."""
    case = get_restricted_or_404(Case, request.user, "view", queryset=_case_queryset(), pk=pk)
    return _case_page(request, case)


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request, person_pk: int):
    """Take a person I see in charge in one of my units."""
    person = get_restricted_or_404(Person, request.user, "view", pk=person_pk)
    if not access_for(request.user).write_org_ids:
        raise Http404
    form = CaseOpenForm(request.POST if request.method == "POST" else None, user=request.user)
    context = {"person": person, "form": form}
    if request.method != "POST" or not form.is_valid():
        return render_page(request, "cases/case_form.html", context)
    try:
        case = services.case_open(actor=request.user, person=person, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return render_page(request, "cases/case_form.html", context)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("The case was opened."))
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def case_close(request, pk: int):
    """Close a case; a stale version shows the case as it is now and keeps the user's input."""
    case = get_restricted_or_404(Case, request.user, "change", queryset=_case_queryset(), pk=pk)
    form = CaseCloseForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_close(
                actor=request.user,
                case=case,
                closed_on=data["closed_on"],
                closing_reason=data["closing_reason"],
                closing_note=data["closing_note"],
                version=data["version"],
            )
        except StaleObjectError:
            case.refresh_from_db()
            return _case_page(request, case, close_form=_with_current_version(form, case), stale=True, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The case was closed."))
            return redirect("cases:case_detail", pk=case.pk)
    case.refresh_from_db()
    return _case_page(request, case, close_form=form)


@login_required
@require_POST
def case_assign(request, pk: int):
    """Give the case to another case manager of its organisation."""
    case = get_restricted_or_404(Case, request.user, "change", queryset=_case_queryset(), pk=pk)
    form = CaseAssignForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.case_assign(
                actor=request.user,
                case=case,
                case_manager=form.cleaned_data["case_manager"],
                version=form.cleaned_data["version"],
            )
        except StaleObjectError:
            case.refresh_from_db()
            return _case_page(request, case, assign_form=_with_current_version(form, case), stale=True, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The case manager was changed."))
            return redirect("cases:case_detail", pk=case.pk)
    case.refresh_from_db()
    return _case_page(request, case, assign_form=form)
