"""Pages of employers and employer relations: lists, the employer page with its quota and contact log, the
scouting list, the signed-in operator's due next steps, and the operators' figures.

Every page reaches rows through `restrict()`; what a user may not reach is a 404 identical to a missing row.
Writes go through opportunities.services; their ValidationErrors land on the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.shortcuts import get_restricted_or_404
from core.exceptions import StaleObjectError
from core.forms import add_service_errors
from core.htmx import render_page
from opportunities import permissions, selectors, services
from opportunities.filters import DEFAULT_PAGE_SIZE, PAGE_SIZES, EmployerListFilter, OpportunityListFilter
from opportunities.forms import ContactForm, EmployerCreateForm, EmployerProfileForm
from opportunities.models import EmployerContact, EmployerProfile

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
    context = {"filter": filterset, "page": page, "page_size": page_size, "page_sizes": PAGE_SIZES}
    return render_page(request, "opportunities/opportunity_list.html", context, partial="results")
