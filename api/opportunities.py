"""Employers and opportunities in the API (read): the directory of the network's job-inclusion partners.

Employer profiles and opportunities hold no person data (ADR 0009): the same restrict() as the pages decides who
reaches them, so the network's job-inclusion staff read every employer and open opportunity, a company referent
reads their own organisation's, and anyone else gets an empty list and a 404 on a detail. The contact log, work
profiles, matches and proposals are person-level or operator notes and are not in the API yet.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from api.base import RestrictedViewSet
from api.openapi import LIST_ERRORS, READ_ERRORS
from opportunities.choices import OpportunityKind, OpportunityStatus
from opportunities.models import EmployerProfile, Opportunity


class EmployerSerializer(serializers.ModelSerializer):
    """An employer's profile with its Law 68/1999 quota, the places covered and those still to fill."""

    name = serializers.CharField(source="organisation.name", read_only=True)
    kind = serializers.CharField(source="organisation.kind", read_only=True)
    # Blank when not recorded: plain strings, so that "" is a valid answer.
    social_coop_type = serializers.CharField(read_only=True, help_text="A or B for social cooperatives, else empty.")
    email = serializers.CharField(read_only=True)

    class Meta:
        model = EmployerProfile
        fields = [
            "id",
            "organisation",
            "name",
            "kind",
            "social_coop_type",
            "ateco_section",
            "ateco_division",
            "employees",
            "computable_employees",
            "law68_quota",
            "law68_covered",
            "law68_open",
            "comune",
            "municipio",
            "address",
            "contact_name",
            "contact_role",
            "phone",
            "email",
            "website",
            "needs",
            "version",
        ]
        read_only_fields = fields


class EmployerFilter(django_filters.FilterSet):
    open_quota = django_filters.BooleanFilter(method="filter_open_quota", label="Employers with places to fill.")

    class Meta:
        model = EmployerProfile
        fields = ["ateco_section", "municipio", "open_quota"]

    def filter_open_quota(self, queryset, name, value):
        return queryset.filter(law68_open__gt=0) if value else queryset.filter(law68_open=0)


@extend_schema_view(
    list=extend_schema(responses={200: EmployerSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: EmployerSerializer, **READ_ERRORS}),
)
class EmployerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Employer profiles (filters: `ateco_section`, `municipio`, `open_quota`)."""

    model = EmployerProfile
    serializer_class = EmployerSerializer
    filterset_class = EmployerFilter

    def base_queryset(self):
        return EmployerProfile.objects.select_related("organisation").order_by("organisation__name", "pk")


class OpportunitySerializer(serializers.ModelSerializer):
    """An opportunity of the shared catalogue: training, internship, job, Law 68 position or volunteering."""

    employer_name = serializers.CharField(read_only=True)
    requires_law68 = serializers.BooleanField(read_only=True)
    contract_type = serializers.CharField(read_only=True, help_text="The contract's type code, empty when not given.")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "organisation",
            "employer",
            "employer_name",
            "kind",
            "title",
            "description",
            "occupation_code",
            "comune",
            "municipio",
            "address",
            "hours_per_week",
            "days_and_times",
            "days",
            "required_skills",
            "desired_skills",
            "skills_taught",
            "contract_type",
            "starts_on",
            "ends_on",
            "seats",
            "support",
            "accessibility",
            "status",
            "requires_law68",
            "version",
        ]
        read_only_fields = fields


class OpportunityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OpportunityKind.choices)
    status = django_filters.ChoiceFilter(choices=OpportunityStatus.choices)
    q = django_filters.CharFilter(method="search", max_length=100, label="Words of the title or description.")

    class Meta:
        model = Opportunity
        fields = ["kind", "status", "municipio", "occupation_code", "q"]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(title__icontains=word) | queryset.filter(description__icontains=word)
        return queryset


@extend_schema_view(
    list=extend_schema(responses={200: OpportunitySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: OpportunitySerializer, **READ_ERRORS}),
)
class OpportunityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The opportunity catalogue the user sees (filters: `kind`, `status`, `municipio`, `occupation_code`, `q`)."""

    model = Opportunity
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilter

    def base_queryset(self):
        return Opportunity.objects.select_related("organisation", "employer__organisation").order_by(
            "-created_at", "-pk"
        )
