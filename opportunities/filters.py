"""The employers list's search and filters."""

import django_filters
from django import forms
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from opportunities import ateco, occupations, skills
from opportunities.choices import EMPLOYER_KIND_CHOICES, ContractType, OpportunityKind, OpportunityStatus
from people.choices import Municipio

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


class EmployerListFilter(django_filters.FilterSet):
    """Search by name, comune or needs; filter by sector, municipio, kind and open quota."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", max_length=100, help_text=_("Words of the name, comune or needs.")
    )
    sector = django_filters.ChoiceFilter(label=_("sector (ATECO section)"), field_name="ateco_section", choices=[])
    municipio = django_filters.TypedChoiceFilter(label=_("Milan municipio"), choices=Municipio.choices, coerce=int)
    kind = django_filters.ChoiceFilter(label=_("kind"), field_name="organisation__kind", choices=EMPLOYER_KIND_CHOICES)
    open_quota = django_filters.BooleanFilter(
        label=_("with Law 68 places to fill"), method="filter_open_quota", widget=forms.CheckboxInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Titles in the language of this request.
        self.filters["sector"].extra["choices"] = ateco.section_choices()
        self.form.fields["sector"].choices = [("", "---------"), *ateco.section_choices()]
        self.form.fields["open_quota"].required = False
        for field in self.form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    def search(self, queryset, name, value):
        words = Q()
        for word in value.split():
            words &= (
                Q(organisation__name__icontains=word)
                | Q(organisation__short_name__icontains=word)
                | Q(comune__icontains=word)
                | Q(needs__icontains=word)
            )
        return queryset.filter(words)

    def filter_open_quota(self, queryset, name, value):
        return queryset.with_open_quota() if value else queryset


class OpportunityListFilter(django_filters.FilterSet):
    """Search by title, description or employer; filter by type, contract, municipio and status."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", max_length=100, help_text=_("Words of the title, description or employer.")
    )
    kind = django_filters.ChoiceFilter(label=_("type"), choices=OpportunityKind.choices)
    contract_type = django_filters.ChoiceFilter(label=_("contract type"), choices=ContractType.choices)
    municipio = django_filters.TypedChoiceFilter(label=_("Milan municipio"), choices=Municipio.choices, coerce=int)
    status = django_filters.ChoiceFilter(label=_("status"), choices=OpportunityStatus.choices)
    occupation = django_filters.ChoiceFilter(label=_("occupation group"), choices=[], method="filter_occupation")
    skill = django_filters.ChoiceFilter(
        label=_("skill"), choices=[], method="filter_skill", help_text=_("Required, desired or taught.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels in the language of this request.
        groups = occupations.sub_major_choices()
        self.filters["occupation"].extra["choices"] = groups
        self.form.fields["occupation"].choices = [("", "---------"), *groups]
        vocabulary = skills.choices()
        self.filters["skill"].extra["choices"] = vocabulary
        self.form.fields["skill"].choices = [("", "---------"), *vocabulary]
        for field in self.form.fields.values():
            widget = field.widget
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    def search(self, queryset, name, value):
        words = Q()
        for word in value.split():
            words &= (
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(employer__organisation__name__icontains=word)
                | Q(organisation__name__icontains=word)
            )
        return queryset.filter(words)

    def filter_occupation(self, queryset, name, value):
        return queryset.filter(occupation_code__startswith=value)

    def filter_skill(self, queryset, name, value):
        # JSON lists as text, on SQLite and PostgreSQL alike: a code in quotes is one whole element.
        quoted = f'"{value}"'
        return queryset.annotate(
            _required=Cast("required_skills", TextField()),
            _desired=Cast("desired_skills", TextField()),
            _taught=Cast("skills_taught", TextField()),
        ).filter(Q(_required__contains=quoted) | Q(_desired__contains=quoted) | Q(_taught__contains=quoted))
