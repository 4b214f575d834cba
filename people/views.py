"""Pages of the person registry: list and search, registration, the record, changes, consents and merges.

Every page reaches persons through `restrict()`; another organisation's record is a 404 identical to a missing
one (and the attempt is audited). Writes go through people.services; their ValidationErrors land on the form.
"""

import copy
from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as CaseWhen
from django.db.models import Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import access_for
from assessments.permissions import can_view_assessments_on_record
from audit.choices import Action
from audit.services import audit_log
from audit.shortcuts import audit_denied, get_restricted_or_404
from core.exceptions import StaleObjectError
from core.forms import add_service_errors
from core.htmx import render_page
from paths.permissions import can_view_paths_on_record
from people import selectors, services
from people.choices import SECTION_CLINICAL, ShareSection
from people.filters import DEFAULT_PAGE_SIZE, PAGE_SIZES, PersonListFilter, contacts_visible_q
from people.forms import (
    PERSON_FORM_FIELDS,
    ConsentForm,
    ConsentWithdrawForm,
    MergeChooseForm,
    MergeConfirmForm,
    PersonCreateForm,
    PersonEditForm,
)
from people.models import Consent, Person
from people.permissions import can_change_person, person_access, visible_sections
from people.sections import fields_in_sections
from plans.permissions import can_view_plans_on_record

# Fields of the record page, by section, in page order.
IDENTITY_FIELDS = ("fiscal_code", "sex", "birth_date", "birth_place", "citizenship")
CONTACT_FIELDS = ("residence_comune", "residence_municipio", "address", "phone", "email")
SOCIAL_FIELDS = (
    "household",
    "household_role",
    "education",
    "work_history",
    "civil_invalidity_percent",
    "law68_registered",
    "law68_registered_on",
)


def _require_person_access(user):
    """Roles without person-level access (aggregate-only, company, sysadmin, DPO) find no person page at all."""
    if not access_for(user).sees_persons:
        raise Http404


def _display(person: Person, name: str):
    """The display value of a field of `person` (choices shown by their label)."""
    getter = getattr(person, f"get_{name}_display", None)
    value = getter() if getter else getattr(person, name)
    return value


# How the record page shows an empty value. Its rows come ready to print, label and value: the page is the busiest
# of Ponte, and deciding in the template how to show each value cost more than the rest of a section.
EMPTY = "—"


def _shown(value):
    return EMPTY if value is None or value == "" else value


def _shown_social(value):
    if value is None or value == "":
        return EMPTY
    if value is True or value is False:
        return _("yes") if value else _("no")
    return linebreaksbr(value)


def _shown_clinical(value):
    return value or EMPTY


@cache
def _field_text(model, name: str, language: str | None) -> tuple[str, dict]:
    """The label of a field (capitalised) and the labels of its choices, as text in `language`, the active one.

    Worked out once per language rather than at every row of every record page: a model's lazy labels cost a
    catalogue look-up each time they are printed.
    """
    field = model._meta.get_field(name)
    return capfirst(str(field.verbose_name)), {value: str(label) for value, label in field.flatchoices}


def _label(obj, name: str, language: str | None):
    """What obj.get_<name>_display() gives in `language` (the active one) for a field with choices, or the field's
    value for the others."""
    value = getattr(obj, name)
    choices = _field_text(type(obj), name, language)[1]
    return choices.get(value, value) if choices else value


def _record_rows(person: Person, names, language: str | None, shown=_shown) -> list[tuple[str, object]]:
    """(label, value) of each field in `names`, both as the record page prints them in `language`."""
    return [(_field_text(Person, name, language)[0], shown(_label(person, name, language))) for name in names]


@cache
def _section_labels(language: str | None) -> dict[str, str]:
    """The labels of the record's shareable sections, as text in `language`, the active one."""
    return {code: str(label) for code, label in ShareSection.choices}


# ---------------------------------------------------------------------------------------------- list


@login_required
def person_list(request):
    """The persons the user sees, identity only; searching is audited."""
    _require_person_access(request.user)
    org_ids = access_for(request.user).person_org_ids
    # The municipio is in the "contacts" section: shown only where the user sees that section.
    shows_contacts = CaseWhen(When(contacts_visible_q(org_ids), then=Value(True)), default=Value(False))
    queryset = selectors.person_list_for(request.user).annotate(shows_contacts=shows_contacts)
    filterset = PersonListFilter(request.GET or None, queryset=queryset, request=request)
    persons = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    try:
        page_size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        page_size = DEFAULT_PAGE_SIZE
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    page = Paginator(persons.order_by("last_name", "first_name", "pk"), page_size).get_page(request.GET.get("page"))
    query = (filterset.form.cleaned_data.get("q") or "").strip() if filterset.is_bound and filterset.is_valid() else ""
    if query:
        audit_log(actor=request.user, action=Action.PERSON_SEARCH, detail={"q": query[:100]})
    context = {
        "filter": filterset,
        "page": page,
        "page_size": page_size,
        "page_sizes": PAGE_SIZES,
        "can_register": bool(access_for(request.user).write_org_ids),
    }
    return render_page(request, "people/person_list.html", context, partial="results")


# ---------------------------------------------------------------------------------------------- create


def _possible_duplicates(user, cleaned: dict) -> list[Person]:
    """Visible records that may be this person: same fiscal code, or similar name and the same birth date."""
    found: dict[int, Person] = {}
    code = cleaned.get("fiscal_code")
    if code:
        for person in Person.objects.restrict(user, "view").filter(fiscal_code=code).select_related("registered_by"):
            found[person.pk] = person
    for person in selectors.likely_duplicates(
        user,
        first_name=cleaned.get("first_name", ""),
        last_name=cleaned.get("last_name", ""),
        birth_date=cleaned.get("birth_date"),
    ):
        found.setdefault(person.pk, person)
    return list(found.values())


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    """Register a person: inline checks of the fiscal code, duplicates offered before saving."""
    _require_person_access(request.user)
    access = access_for(request.user)
    if not access.write_org_ids:
        raise Http404
    form_kwargs = {"write_org_ids": sorted(access.write_org_ids), "clinical": bool(access.clinical_org_ids)}
    template = "people/person_form.html"
    context = {"mode": "create"}
    if request.method != "POST":
        context["form"] = PersonCreateForm(**form_kwargs)
        return render_page(request, template, context)

    form = PersonCreateForm(request.POST, **form_kwargs)
    valid = form.is_valid()
    validating = request.POST.get("_validate") or (request.htmx.trigger_name if request.htmx else None)
    if request.htmx and validating in form.fields and validating != "confirm_different":
        # Inline validation: only the field the user just left, with its errors.
        return render_page(request, template, {**context, "form": form, "field": form[validating]}, partial="field")

    duplicates = _possible_duplicates(request.user, form.cleaned_data) if form.cleaned_data else []
    context.update(form=form, duplicates=duplicates)
    if not valid:
        return render_page(request, template, context)
    if duplicates and not form.cleaned_data.get("confirm_different"):
        form.add_error(
            "confirm_different",
            _("Possible duplicates are listed above: open one of them, or confirm that this is a different person."),
        )
        return render_page(request, template, context)
    data = form.person_data()
    try:
        person = services.person_create(actor=request.user, organisation=form.cleaned_data.get("organisation"), **data)
    except ValidationError as error:
        add_service_errors(form, error)
        return render_page(request, template, context)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("%(name)s was registered.") % {"name": person.full_name})
    return redirect("people:detail", pk=person.pk)


# ---------------------------------------------------------------------------------------------- detail


def _person_queryset():
    return Person.objects.select_related("registered_by", "household")


@login_required
def person_detail(request, pk: int):
    """A person's record, in the sections the user may see; the read is audited with those sections.

    The busiest page of Ponte, so it reads the person, their cases and their consents once, with the record
    page's plain-SQL selectors (ADR 0020), and decides access from them with person_access(), the same rule as
    restrict() (ADR 0018); out of reach is the same audited 404 as get_restricted_or_404's.
    """
    person = selectors.record_person(pk)
    if person is None:
        raise Http404
    if access_for(request.user).sees_persons:
        consents = selectors.record_consents(person)
        rights = person_access(request.user, person, consents=consents, cases=selectors.record_cases(person))
    else:  # roles without person-level access see no record: nothing more to read
        consents, rights = [], person_access(request.user, person, consents=[], cases=())
    if not rights.visible:
        audit_denied(request.user, person, "view")
        raise Http404
    sections, can_change = rights.sections, rights.can_change
    language = get_language()
    context = {
        "person": person,
        "sections": sections,
        "identity_rows": _record_rows(person, IDENTITY_FIELDS, language),
        "can_change": can_change,
        "can_manage_consents": can_change,  # permissions.can_manage_consents is can_change_person
        "can_view_log": rights.can_view_log,
        "can_view_assessments": can_view_assessments_on_record(request.user, person, rights.cases),
        "can_view_paths": can_view_paths_on_record(request.user, person, rights.cases),
        "can_view_plans": can_view_plans_on_record(request.user, person, rights.cases),
        # The work profile and matches are for the treating team (opportunities.permissions.can_view_work_profile).
        "can_view_work_profile": rights.treating,
        "cases": None,
    }
    if ShareSection.CONTACTS in sections:
        context["contact_rows"] = _record_rows(person, CONTACT_FIELDS, language)
    if ShareSection.SOCIAL in sections:
        context["social_rows"] = _record_rows(person, SOCIAL_FIELDS, language, _shown_social)
    if SECTION_CLINICAL in sections:
        context["clinical_rows"] = _record_rows(person, ("diagnosis_group",), language, _shown_clinical)
    if ShareSection.CASES in sections:
        context["cases"] = list(rights.cases)
        context["referrals"] = selectors.record_referrals(request.user, person)
        for row in (*context["cases"], *context["referrals"]):
            row.area_label, row.status_label = _label(row, "area", language), _label(row, "status", language)
    section_labels = _section_labels(language)
    today = timezone.localdate()
    for consent in consents:
        consent.in_force = consent.is_active(today)
        consent.purpose_label = _label(consent, "purpose", language)
        consent.section_labels = [section_labels.get(code, code) for code in consent.sections or ()]
    context["consents"] = consents
    audit_log(actor=request.user, action=Action.PERSON_VIEW, obj=person, detail={"sections": sorted(sections)})
    return render_page(request, "people/person_detail.html", context)


# ---------------------------------------------------------------------------------------------- edit


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    """Change the fields of the visible sections, based on the version read; a stale save keeps the input."""
    person = get_restricted_or_404(Person, request.user, "change", queryset=_person_queryset(), pk=pk)
    allowed = services.changeable_fields(request.user, person)
    fields = [name for name in PERSON_FORM_FIELDS if name in allowed]
    template = "people/person_form.html"
    context = {"mode": "edit", "person": person}
    if request.method != "POST":
        form = PersonEditForm(instance=copy.copy(person), fields=fields, initial={"version": person.version})
        return render_page(request, template, {**context, "form": form})

    form = PersonEditForm(request.POST, instance=copy.copy(person), fields=fields)
    valid = form.is_valid()
    validating = request.POST.get("_validate") or (request.htmx.trigger_name if request.htmx else None)
    if request.htmx and validating in form.fields and validating != "version":
        return render_page(request, template, {**context, "form": form, "field": form[validating]}, partial="field")
    context["form"] = form
    if not valid:
        return render_page(request, template, context)
    try:
        services.person_update(
            actor=request.user,
            person=person,
            version=form.cleaned_data["version"],
            **form.changed_person_fields(),
        )
    except StaleObjectError as stale:
        return _stale_edit(request, context, form, stale, fields)
    except ValidationError as error:
        add_service_errors(form, error)
        return render_page(request, template, context)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("The record was saved."))
    return redirect("people:detail", pk=person.pk)


def _stale_edit(request, context, form, stale: StaleObjectError, fields):
    """Someone saved meanwhile: 409 with the user's input kept, except for the fields changed meanwhile, which show
    their current value (saving again must not undo the other change unnoticed) next to what the user typed.
    """
    current = stale.current
    visible = fields_in_sections(visible_sections(request.user, current))
    changed = [name for name in stale.changed if name in visible and name in fields]
    current_form = PersonEditForm(instance=copy.copy(current), fields=fields)
    data = request.POST.copy()
    data["version"] = str(current.version)
    stale_rows = []
    for name in changed:
        yours = form[name].value()
        bound = current_form[name]
        value = bound.field.prepare_value(bound.initial)
        if isinstance(value, bool):
            data[name] = "on" if value else ""
        else:
            data[name] = "" if value is None else str(value)
        stale_rows.append((name, form[name].label, _display(current, name), _input_display(form[name], yours)))
    form = PersonEditForm(data, instance=copy.copy(current), fields=fields)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Someone else changed this record while you were editing it. The fields they changed now show their "
            "current value; the rest of your input is kept. Check and save again."
        )
        if stale_rows
        else _("Someone else changed this record while you were editing it. Check your input and save again."),
    )
    context.update(form=form, person=current, stale_rows=stale_rows)
    return render_page(request, "people/person_form.html", context, status=409)


def _input_display(bound_field, value):
    """What the user typed for a field, readable (choices by their label)."""
    choices = dict(getattr(bound_field.field, "choices", ()) or ())
    if value in (None, ""):
        return None
    return choices.get(value, choices.get(str(value), value)) if choices else value


# ---------------------------------------------------------------------------------------------- consents


@login_required
@require_http_methods(["GET", "POST"])
def consent_add(request, pk: int):
    """Record a consent the person gave (treating team only)."""
    person = get_restricted_or_404(Person, request.user, "change", queryset=_person_queryset(), pk=pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_give(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("people:detail", pk=person.pk)
    return render_page(request, "people/consent_form.html", {"person": person, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk: int, consent_pk: int):
    """Confirm and record the withdrawal of a consent: access resting on it ends at once."""
    person = get_restricted_or_404(Person, request.user, "change", queryset=_person_queryset(), pk=pk)
    consent = get_restricted_or_404(
        Consent,
        request.user,
        "change",
        queryset=Consent.objects.select_related("organisation"),
        pk=consent_pk,
        person=person,
    )
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user, consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The withdrawal of the consent was recorded."))
            return redirect("people:detail", pk=person.pk)
    return render_page(request, "people/consent_withdraw.html", {"person": person, "consent": consent, "form": form})


# ---------------------------------------------------------------------------------------------- merge


def _merge_rows(user, first: Person, second: Person) -> list[tuple[str, object, object]]:
    """Side-by-side values of the fields both records show the user."""
    shown = fields_in_sections(visible_sections(user, first)) & fields_in_sections(visible_sections(user, second))
    names = [name for name in ("fiscal_code", "first_name", "last_name", *PERSON_FORM_FIELDS[3:]) if name in shown]
    names = list(dict.fromkeys(["first_name", "last_name", "fiscal_code", *names]))
    return [
        (Person._meta.get_field(name).verbose_name, _display(first, name), _display(second, name)) for name in names
    ]


@login_required
@require_http_methods(["GET", "POST"])
def person_merge(request, pk: int):
    """Merge two records of the same person: choose the other, compare them side by side, confirm."""
    person = get_restricted_or_404(Person, request.user, "change", queryset=_person_queryset(), pk=pk)
    template = "people/person_merge.html"
    other_pk = request.POST.get("other_pk") or None
    if other_pk is None:
        candidates = [
            p
            for p in selectors.likely_duplicates(
                request.user,
                first_name=person.first_name,
                last_name=person.last_name,
                birth_date=person.birth_date,
                exclude_pk=person.pk,
            )
            if can_change_person(request.user, p)
        ]
        choose = MergeChooseForm(request.GET if "choose" in request.GET else None, candidates=candidates)
        if not choose.is_bound or not choose.is_valid():
            return render_page(request, template, {"person": person, "choose": choose, "candidates": candidates})
        if choose.cleaned_data.get("other"):
            other_pk = choose.cleaned_data["other"]
        else:
            code = choose.cleaned_data["fiscal_code"]
            other = Person.objects.restrict(request.user, "change").filter(fiscal_code=code).first()
            if other is None or other.pk == person.pk:
                # Says nothing about records of other organisations.
                choose.add_error("fiscal_code", _("No other record you may change has this fiscal code."))
                return render_page(request, template, {"person": person, "choose": choose, "candidates": candidates})
            other_pk = other.pk
    try:
        other_pk = int(other_pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    if other_pk == person.pk:
        raise Http404
    other = get_restricted_or_404(Person, request.user, "change", queryset=_person_queryset(), pk=other_pk)
    confirm = MergeConfirmForm(request.POST if request.method == "POST" else None, first=person, second=other)
    context = {"person": person, "other": other, "confirm": confirm, "rows": _merge_rows(request.user, person, other)}
    if request.method == "POST" and confirm.is_valid():
        keep, drop = (person, other) if confirm.cleaned_data["keep"] == person.pk else (other, person)
        try:
            kept = services.person_merge(actor=request.user, keep=keep, drop=drop)
        except ValidationError as error:
            add_service_errors(confirm, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The records were merged into %(name)s.") % {"name": kept.full_name})
            return redirect("people:detail", pk=kept.pk)
    return render_page(request, template, context)
