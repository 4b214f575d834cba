"""The registry list's search and filters. Filters never reveal a field the user's sections hide."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from accounts.choices import NON_CARE_KINDS
from accounts.models import Organisation
from cases.choices import Area
from cases.models import Case
from people.choices import ConsentPurpose, Municipio, Sex, ShareSection
from people.models import Consent, active_consents
from people.permissions import person_q_for_search

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


def contacts_visible_q(org_ids) -> Q:
    """Persons whose "contacts" section (municipio included) the organisations `org_ids` see.

    The same rule as permissions.visible_sections, as a filter: the treating organisations (registration or a
    case) see it, others through an active sharing consent that opens "contacts".
    """
    # The consent's sections are a JSON list; matching its text with the quoted name works on SQLite and PostgreSQL.
    consents = (
        Consent.objects.filter(
            active_consents(),
            person=OuterRef("pk"),
            purpose=ConsentPurpose.SHARING,
            organisation_id__in=org_ids,
        )
        .annotate(sections_text=Cast("sections", TextField()))
        .filter(sections_text__contains=f'"{ShareSection.CONTACTS.value}"')
    )
    has_case = Exists(Case.objects.filter(person=OuterRef("pk"), organisation_id__in=org_ids))
    return Q(registered_by_id__in=org_ids) | has_case | Exists(consents)


class PersonListFilter(django_filters.FilterSet):
    """Search and filters of /persons/; the queryset is already restricted to the user's persons."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        help_text=_("Fiscal code (or its beginning), or words of the name."),
    )
    municipio = django_filters.TypedChoiceFilter(
        label=_("Milan municipio"), choices=Municipio.choices, coerce=int, method="filter_municipio"
    )
    sex = django_filters.ChoiceFilter(label=_("sex"), choices=Sex.choices)
    area = django_filters.ChoiceFilter(label=_("area of an open case"), choices=Area.choices, method="filter_area")
    registered_by = django_filters.ModelChoiceFilter(label=_("registered by"), queryset=Organisation.objects.none())
    open_case_here = django_filters.BooleanFilter(
        label=_("with an open case in my organisation"),
        method="filter_open_case_here",
        widget=forms.CheckboxInput,
    )

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.org_ids = access_for(request.user).person_org_ids if request is not None else frozenset()
        # The network's directory is public to every signed-in user (API /organisations/); listing it costs
        # nothing, where "organisations that registered a person I see" read the whole registry on every page.
        self.filters["registered_by"].queryset = (
            Organisation.objects.filter(is_active=True).exclude(kind__in=NON_CARE_KINDS).order_by("name")
        )
        self.form.fields["open_case_here"].required = False
        for field in self.form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def search(self, queryset, name, value):
        return queryset.filter(person_q_for_search(value))

    def filter_municipio(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        # Only persons whose residence the user may see: filtering must not reveal a hidden municipio.
        return queryset.filter(contacts_visible_q(self.org_ids), residence_municipio=value)

    def _open_cases(self):
        return Case.objects.filter(person=OuterRef("pk"), organisation_id__in=self.org_ids, closed_on__isnull=True)

    def filter_area(self, queryset, name, value):
        # Open cases of the user's own organisations: other organisations' cases are not the list's business.
        return queryset.filter(Exists(self._open_cases().filter(area=value))) if value else queryset

    def filter_open_case_here(self, queryset, name, value):
        return queryset.filter(Exists(self._open_cases())) if value else queryset
