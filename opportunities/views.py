"""Pages of employers and employer relations: lists, the employer page with its quota and contact log, the
scouting list, the signed-in operator's due next steps, and the operators' figures.

Every page reaches rows through `restrict()`; what a user may not reach is a 404 identical to a missing row.
Writes go through opportunities.services; their ValidationErrors land on the form.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import access_for
from audit.choices import Action, Outcome
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from core.exceptions import StaleObjectError
from core.forms import add_service_errors
from core.htmx import render_page
from opportunities import ateco, occupations, permissions, selectors, services, skills
from opportunities.choices import ProposalStatus, Weekday
from opportunities.filters import DEFAULT_PAGE_SIZE, PAGE_SIZES, EmployerListFilter, OpportunityListFilter
from opportunities.forms import (
    ContactForm,
    DecisionForm,
    EmployerCreateForm,
    EmployerProfileForm,
    OpportunityForm,
    ProposalForm,
    WorkProfileForm,
)
from opportunities.models import EmployerContact, EmployerProfile, Opportunity, Proposal, WorkProfile
from people.choices import ConsentPurpose
from people.models import Person, active_consents

FIGURES_WEEK_CHOICES = (4, 12, 26, 52)


def _require_scout(user) -> None:
    """The lists, the contact log and the reminders are for scouting staff; others find no such page."""
    if not permissions.is_scout(user):
        raise Http404


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _employer_queryset():
    return EmployerProfile.objects.select_related("organisation")


# ---------------------------------------------------------------------------------------------- lists


def _filtered_list(request, queryset, template: str, extra: dict):
    filterset = EmployerListFilter(request.GET or None, queryset=queryset, request=request)
    employers = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page_size = _page_size(request)
    page = Paginator(employers, page_size).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "page_size": page_size, "page_sizes": PAGE_SIZES, **extra}
    return render_page(request, template, context, partial="results")


@login_required
def employer_list(request):
    """Every employer of the network, searchable and filtered."""
    _require_scout(request.user)
    queryset = selectors.employer_list_for(request.user)
    return _filtered_list(
        request,
        queryset,
        "opportunities/employer_list.html",
        {"can_create": permissions.can_create_employer(request.user), "scouting": False},
    )


@login_required
def scouting_list(request):
    """Employers with Law 68 places to fill: most open places first, then the longest without a contact."""
    _require_scout(request.user)
    queryset = selectors.scouting_list_for(request.user)
    return _filtered_list(
        request, queryset, "opportunities/employer_list.html", {"can_create": False, "scouting": True}
    )


# ---------------------------------------------------------------------------------------------- create and edit


@login_required
@require_http_methods(["GET", "POST"])
def employer_create(request):
    """A new employer: an organisation of one of the employer kinds with its profile."""
    if not permissions.can_create_employer(request.user):
        raise Http404
    form = EmployerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.profile_data()
        try:
            employer = services.employer_create(
                actor=request.user, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"], **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": employer.organisation.name})
            return redirect("opportunities:employer_detail", pk=employer.pk)
    return render_page(request, "opportunities/employer_form.html", {"form": form, "mode": "create"})


@login_required
@require_http_methods(["GET", "POST"])
def employer_edit(request, pk: int):
    """Change an employer's profile (scouting staff, or the company's own referent)."""
    employer = get_restricted_or_404(EmployerProfile, request.user, "change", queryset=_employer_queryset(), pk=pk)
    kind = employer.organisation.kind
    form = EmployerProfileForm(request.POST or None, instance=employer, organisation_kind=kind)
    context = {"form": form, "mode": "edit", "employer": employer}
    status = 200
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or employer.version
        try:
            services.employer_update(actor=request.user, employer=employer, version=version, **form.profile_data())
        except ValidationError as error:
            add_service_errors(form, error)
        except StaleObjectError as stale:
            form.add_error(
                None,
                _(
                    "Someone else changed this profile while you were editing it. The page now shows your input "
                    "on the current version: check it and save again."
                ),
            )
            data = request.POST.copy()
            data["version"] = stale.current.version
            form.data = data
            status = 409
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("opportunities:employer_detail", pk=employer.pk)
    return render_page(request, "opportunities/employer_form.html", context, status=status)


# ---------------------------------------------------------------------------------------------- the employer page


def _contacts_context(request, employer, form=None) -> dict:
    if not permissions.can_view_contacts(request.user):
        return {"show_contacts": False}
    contacts = list(selectors.employer_contacts(request.user, employer))
    coordinator_orgs = permissions.scouting_coordinator_org_ids(request.user)
    for contact in contacts:
        contact.can_mark_done = (
            contact.next_step_on is not None
            and contact.next_step_done_on is None
            and (contact.operator_id == request.user.pk or contact.organisation_id in coordinator_orgs)
        )
    return {
        "show_contacts": True,
        "contacts": contacts,
        "contact_form": form or ContactForm(),
        "can_log_contact": permissions.can_log_contact(request.user, employer),
        "today": timezone.localdate(),
    }


@login_required
def employer_detail(request, pk: int):
    """The employer's profile, its quota and, for scouting staff, the contact log with a form to add one."""
    employer = get_restricted_or_404(EmployerProfile, request.user, "view", queryset=_employer_queryset(), pk=pk)
    context = {
        "employer": employer,
        "can_change": permissions.can_change_employer(request.user, employer),
        **_contacts_context(request, employer),
    }
    return render_page(request, "opportunities/employer_detail.html", context)


@login_required
def my_employer(request):
    """A company referent's own profile."""
    org_ids = permissions.referent_org_ids(request.user)
    employer = EmployerProfile.objects.filter(organisation_id__in=org_ids).order_by("pk").first()
    if employer is None:
        raise Http404
    return redirect("opportunities:employer_detail", pk=employer.pk)


@login_required
@require_POST
def contact_add(request, pk: int):
    """Log a contact; an htmx request gets the contact log back with a fresh form (or the form with its errors)."""
    employer = get_restricted_or_404(EmployerProfile, request.user, "view", queryset=_employer_queryset(), pk=pk)
    if not permissions.can_log_contact(request.user, employer):
        raise Http404
    form = ContactForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.contact_log(actor=request.user, employer=employer, **form.contact_data())
        except ValidationError as error:
            add_service_errors(form, error)
            status = 422
        else:
            if not request.htmx:
                messages.success(request, _("The contact was recorded."))
                return redirect("opportunities:employer_detail", pk=employer.pk)
            form = None
    else:
        status = 422
    context = {"employer": employer, "can_change": False, **_contacts_context(request, employer, form)}
    if status == 422 and not request.htmx:
        context["can_change"] = permissions.can_change_employer(request.user, employer)
    return render_page(request, "opportunities/employer_detail.html", context, partial="contacts", status=status)


@login_required
@require_POST
def contact_done(request, pk: int):
    """Mark a contact's next step as done; back to where the user came from."""
    contact = get_restricted_or_404(EmployerContact, request.user, "change", pk=pk)
    try:
        services.contact_next_step_done(actor=request.user, contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("The next step is marked as done."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "opportunities:next_steps")


# ---------------------------------------------------------------------------------------------- reminders and figures


@login_required
def next_steps(request):
    """The signed-in operator's next steps due within two weeks, overdue first."""
    _require_scout(request.user)
    today = timezone.localdate()
    steps = list(selectors.due_next_steps_for(request.user, today=today))
    context = {
        "overdue": [s for s in steps if s.next_step_on < today],
        "due_today": [s for s in steps if s.next_step_on == today],
        "coming": [s for s in steps if s.next_step_on > today],
        "horizon": selectors.REMINDER_HORIZON_DAYS,
        "today": today,
    }
    return render_page(request, "opportunities/next_steps.html", context)


@login_required
def operator_figures(request):
    """Contacts per week and employers contacted, per operator (coordinators) and for the network (counts)."""
    if not permissions.can_view_operator_figures(request.user):
        raise Http404
    try:
        weeks = int(request.GET.get("weeks", selectors.FIGURES_DEFAULT_WEEKS))
    except ValueError:
        weeks = selectors.FIGURES_DEFAULT_WEEKS
    if weeks not in FIGURES_WEEK_CHOICES:
        weeks = selectors.FIGURES_DEFAULT_WEEKS
    period = selectors.Period.last_weeks(today=timezone.localdate(), weeks=weeks)
    context = {
        "period": period,
        "weeks": weeks,
        "week_choices": FIGURES_WEEK_CHOICES,
        "figures": selectors.operator_figures(request.user, period=period),
        "is_coordinator": bool(permissions.scouting_coordinator_org_ids(request.user)),
        "totals": selectors.network_totals(period=period)
        if permissions.can_view_employer_totals(request.user)
        else None,
    }
    return render_page(request, "opportunities/operator_figures.html", context)


# ---------------------------------------------------------------------------------------------- the catalogue


@login_required
def opportunity_list(request):
    """The catalogue: every open opportunity of the network, and the user's organisation's own in any status."""
    queryset = selectors.opportunity_catalogue_for(request.user)
    if not permissions.sees_catalogue(request.user):
        raise Http404
    filterset = OpportunityListFilter(request.GET or None, queryset=queryset, request=request)
    opportunities = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page_size = _page_size(request)
    page = Paginator(opportunities, page_size).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "page_size": page_size,
        "page_sizes": PAGE_SIZES,
        "can_create": permissions.can_create_opportunity(request.user),
    }
    return render_page(request, "opportunities/opportunity_list.html", context, partial="results")


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request):
    """Publish an opportunity for the user's organisation (scouting staff, company referents)."""
    if not permissions.can_create_opportunity(request.user):
        raise Http404
    form = OpportunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(actor=request.user, **form.opportunity_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The opportunity was saved."))
            return redirect("opportunities:opportunity_detail", pk=opportunity.pk)
    return render_page(request, "opportunities/opportunity_form.html", {"form": form, "mode": "create"})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request, pk: int):
    """Change an opportunity of the user's organisation."""
    opportunity = get_restricted_or_404(Opportunity, request.user, "change", pk=pk)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or opportunity.version
        try:
            services.opportunity_update(
                actor=request.user, opportunity=opportunity, version=version, **form.opportunity_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except StaleObjectError as stale:
            form.add_error(None, _("Someone else changed this opportunity meanwhile: check your input and save again."))
            data = request.POST.copy()
            data["version"] = stale.current.version
            form.data = data
            status = 409
        else:
            messages.success(request, _("The opportunity was saved."))
            return redirect("opportunities:opportunity_detail", pk=opportunity.pk)
    context = {"form": form, "mode": "edit", "opportunity": opportunity}
    return render_page(request, "opportunities/opportunity_form.html", context, status=status)


@login_required
@require_POST
def opportunity_close(request, pk: int):
    opportunity = get_restricted_or_404(Opportunity, request.user, "change", pk=pk)
    services.opportunity_close(actor=request.user, opportunity=opportunity)
    messages.success(request, _("The opportunity is closed."))
    return redirect("opportunities:opportunity_detail", pk=pk)


def _opportunity_queryset():
    return Opportunity.objects.select_related("organisation", "employer__organisation")


@login_required
def opportunity_detail(request, pk: int):
    """An opportunity: its fields, skills, and for its company the proposals received."""
    opportunity = get_restricted_or_404(Opportunity, request.user, "view", queryset=_opportunity_queryset(), pk=pk)
    user = request.user
    proposals = []
    if permissions.can_change_opportunity(user, opportunity) and permissions.referent_org_ids(user):
        proposals = [
            {"proposal": p, "card": selectors.company_card(p)}
            for p in selectors.proposals_for(user).filter(opportunity=opportunity)
        ]
    context = {
        "opportunity": opportunity,
        "can_change": permissions.can_change_opportunity(user, opportunity),
        "can_match": access_for(user).sees_persons,
        "proposals": proposals,
        "skill_label": skills.label,
        "required": [skills.label(c) for c in opportunity.required_skills],
        "desired": [skills.label(c) for c in opportunity.desired_skills],
        "taught": [skills.label(c) for c in opportunity.skills_taught],
        "occupation": occupations.label(opportunity.occupation_code),
        "days": [Weekday(d).label for d in opportunity.days],
    }
    return render_page(request, "opportunities/opportunity_detail.html", context)


@login_required
def opportunity_candidates(request, pk: int):
    """The opportunity's ranked candidates from the user's own caseload, among those who consented."""
    opportunity = get_restricted_or_404(Opportunity, request.user, "view", queryset=_opportunity_queryset(), pk=pk)
    if not access_for(request.user).sees_persons:
        raise Http404
    results = selectors.candidates_for_opportunity(request.user, opportunity, today=timezone.localdate())
    audit_log(
        actor=request.user,
        action=Action.MATCH_VIEW,
        obj=opportunity,
        detail={"from": "opportunity", "persons": [r.person.pk for r in results]},
    )
    context = {"opportunity": opportunity, "results": results, "skill_label": skills.label}
    return render_page(request, "opportunities/opportunity_candidates.html", context)


# ---------------------------------------------------------------------------------------------- work profiles


def _candidate_or_404(request, person_pk: int):
    """The person, when the user treats them; else the same 404 as a missing person."""
    person = get_restricted_or_404(Person, request.user, "view", pk=person_pk)
    if not permissions.can_view_work_profile(request.user, person):
        audit_log(
            actor=request.user,
            action=Action.ACCESS_DENIED,
            obj=person,
            outcome=Outcome.DENIED,
            detail={"requested": "work_profile"},
        )
        raise Http404
    return person


@login_required
def work_profile(request, person_pk: int):
    """A candidate's work profile (audited read)."""
    person = _candidate_or_404(request, person_pk)
    profile = WorkProfile.objects.filter(person=person).select_related("updated_by").first()
    audit_log(
        actor=request.user,
        action=Action.WORK_PROFILE_VIEW,
        obj=profile or person,
        person=person,
        detail={"exists": profile is not None},
    )
    context = {
        "person": person,
        "profile": profile,
        "can_change": permissions.can_change_work_profile(request.user, person),
        "wishes": [
            {
                "kind": w["kind"],
                "label": occupations.label(w["code"])
                if w["kind"] == "isco"
                else str(ateco.entries().get(w["code"], w["code"])),
            }
            for w in (profile.wishes if profile else [])
        ],
        "skills": sorted(
            ((skills.label(code), level) for code, level in (profile.skills if profile else {}).items()),
            key=lambda pair: (-pair[1], pair[0]),
        ),
        "days": [Weekday(d).label for d in (profile.days if profile else [])],
    }
    return render_page(request, "opportunities/work_profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def work_profile_edit(request, person_pk: int):
    """Create or change a candidate's work profile; a new one is prefilled from the latest skills balance."""
    person = _candidate_or_404(request, person_pk)
    if not permissions.can_change_work_profile(request.user, person):
        raise Http404
    profile = WorkProfile.objects.filter(person=person).first()
    balance = None if profile else selectors.latest_skills_balance(request.user, person)
    form = WorkProfileForm(request.POST or None, initial=WorkProfileForm.initial_from(profile, skills_balance=balance))
    status = 200
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") if profile else None
        try:
            services.work_profile_save(actor=request.user, person=person, version=version, **form.profile_data())
        except ValidationError as error:
            add_service_errors(form, error)
        except StaleObjectError as stale:
            form.add_error(None, _("Someone else changed this profile meanwhile: check your input and save again."))
            data = request.POST.copy()
            data["version"] = stale.current.version
            form.data = data
            status = 409
        else:
            messages.success(request, _("The work profile was saved."))
            return redirect("opportunities:work_profile", person_pk=person.pk)
    context = {"form": form, "person": person, "profile": profile, "balance": balance}
    return render_page(request, "opportunities/work_profile_form.html", context, status=status)


@login_required
def person_matches(request, person_pk: int):
    """A candidate's ranked opportunities from the whole network, as cards with their explanations."""
    person = _candidate_or_404(request, person_pk)
    results = selectors.matches_for_person(request.user, person, today=timezone.localdate())
    audit_log(
        actor=request.user,
        action=Action.MATCH_VIEW,
        obj=person,
        detail={"from": "candidate", "opportunities": [r.opportunity.pk for r in results]},
    )
    has_consent = person.consents.filter(active_consents(), purpose=ConsentPurpose.COMPANY_CONTACT).exists()
    context = {
        "person": person,
        "results": results,
        "has_profile": WorkProfile.objects.filter(person=person).exists(),
        "can_propose": permissions.can_propose(request.user, person) and has_consent,
        "has_consent": has_consent,
        "skill_label": skills.label,
        "occupation_label": occupations.label,
    }
    return render_page(request, "opportunities/person_matches.html", context)


@login_required
@require_POST
def proposal_create(request, person_pk: int):
    """Propose an opportunity to the candidate (from the matches page or the opportunity's candidates)."""
    person = _candidate_or_404(request, person_pk)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        raise Http404
    opportunity = get_restricted_or_404(Opportunity, request.user, "view", pk=form.cleaned_data["opportunity"])
    try:
        proposal = services.proposal_create(
            actor=request.user, opportunity=opportunity, person=person, note=form.cleaned_data["note"]
        )
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("opportunities:person_matches", person_pk=person.pk)
    messages.success(request, _("The opportunity was proposed."))
    return redirect("opportunities:proposal_detail", pk=proposal.pk)


# ---------------------------------------------------------------------------------------------- proposals


@login_required
def proposal_board(request):
    """The proposals the user may see, by status (treating team: their candidates'; a company: its own)."""
    if not (access_for(request.user).sees_persons or permissions.referent_org_ids(request.user)):
        raise Http404
    status = request.GET.get("status", "")
    proposals = selectors.proposals_for(request.user)
    if status in ProposalStatus.values:
        proposals = proposals.filter(status=status)
    page = Paginator(proposals, _page_size(request)).get_page(request.GET.get("page"))
    company = not access_for(request.user).sees_persons
    rows = [{"proposal": p, "card": selectors.company_card(p) if company else None} for p in page.object_list]
    counts = dict(
        selectors.proposals_for(request.user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    context = {
        "page": page,
        "rows": rows,
        "company": company,
        "status": status,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in ProposalStatus.choices],
    }
    return render_page(request, "opportunities/proposal_board.html", context, partial="results")


def _proposal_context(request, proposal, forms_by_side=None) -> dict:
    user = request.user
    company = permissions.is_company_reader(user, proposal)
    forms_by_side = forms_by_side or {}
    can_candidate = proposal.status == ProposalStatus.PENDING and permissions.can_record_candidate_decision(
        user, proposal
    )
    can_employer = proposal.status == ProposalStatus.PENDING and permissions.can_record_employer_decision(
        user, proposal
    )
    return {
        "proposal": proposal,
        "company": company,
        "card": selectors.company_card(proposal) if company else None,
        "candidate_form": forms_by_side.get("candidate") or DecisionForm(side="candidate") if can_candidate else None,
        "employer_form": forms_by_side.get("employer") or DecisionForm(side="employer") if can_employer else None,
        "can_withdraw": proposal.status == ProposalStatus.PENDING
        and permissions.can_record_candidate_decision(user, proposal),
        "skill_label": skills.label,
    }


def _proposal_queryset():
    return Proposal.objects.select_related(
        "opportunity__organisation", "opportunity__employer__organisation", "person", "proposed_by", "organisation"
    )


@login_required
def proposal_detail(request, pk: int):
    proposal = get_restricted_or_404(Proposal, request.user, "view", queryset=_proposal_queryset(), pk=pk)
    audit_log(actor=request.user, action=Action.PROPOSAL_VIEW, obj=proposal, person=proposal.person_id)
    return render_page(request, "opportunities/proposal_detail.html", _proposal_context(request, proposal))


@login_required
@require_POST
def proposal_decide(request, pk: int, side: str):
    """Record the candidate's or the employer's decision."""
    proposal = get_restricted_or_404(Proposal, request.user, "view", queryset=_proposal_queryset(), pk=pk)
    if side not in (services.CANDIDATE, services.EMPLOYER):
        raise Http404
    form = DecisionForm(request.POST, side=side)
    if form.is_valid():
        try:
            services.proposal_decide(actor=request.user, proposal=proposal, side=side, **form.cleaned_data)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("opportunities:proposal_detail", pk=pk)
    context = _proposal_context(request, proposal, {side: form})
    return render_page(request, "opportunities/proposal_detail.html", context, status=422)


@login_required
@require_POST
def proposal_withdraw(request, pk: int):
    proposal = get_restricted_or_404(Proposal, request.user, "view", queryset=_proposal_queryset(), pk=pk)
    try:
        services.proposal_withdraw(actor=request.user, proposal=proposal)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The proposal was withdrawn."))
    return redirect("opportunities:proposal_detail", pk=pk)


@login_required
def equity(request):
    """Proposals and acceptances per ASST against each ASST's share of active candidates (counts only)."""
    if not permissions.can_view_equity(request.user):
        raise Http404
    months = 12
    since = timezone.localdate() - datetime.timedelta(days=365)
    context = {"rows": selectors.equity_by_asst(since=since), "since": since, "months": months}
    return render_page(request, "opportunities/equity.html", context)
