"""The opportunity catalogue in the API: read, publish, change, close and reopen, and an opportunity's candidates.

Opportunities hold no person data (ADR 0009): the same restrict() as the pages decides who reaches them, so the
network's operators read every open opportunity, the publisher's scouting staff and company referents also read
their own in any status and change them, and anyone else gets an empty list and a 404 on a detail. Writes go
through opportunities/services.py (audited `opportunity.save`). An opportunity's ranked candidates come from the
user's own caseload, among those who consented to be proposed to companies (audited `match.view`).
Employers and their contact log are in api/employers.py; work profiles, matches and proposals in api/matching.py.
"""

import django_filters
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import access_for
from api.employers import PolicyViewSet
from api.matching import LIMIT_PARAMETER, OpportunityCandidatesSerializer, candidate_match, match_limit
from api.openapi import BAD_REQUEST, CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.persons import conflict_response
from audit.choices import Action
from audit.services import audit_log
from core.exceptions import StaleObjectError
from opportunities import permissions as policy
from opportunities import selectors, services
from opportunities.choices import ContractType, OpportunityKind, OpportunityStatus, Weekday
from opportunities.models import EmployerProfile, Opportunity
from people.choices import Municipio


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


@extend_schema_field(OpenApiTypes.INT)
class VisibleEmployerField(serializers.PrimaryKeyRelatedField):
    """An employer profile the requesting user sees: any other is an unknown id."""

    def get_queryset(self):
        return EmployerProfile.objects.restrict(self.context["request"].user, "view")


def _skill_codes(**kwargs):
    return serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=60, required=False, help_text="Skill codes.", **kwargs
    )


# Declared, not derived: see EmployerProfileWriteSerializer (the database's integer range must not leak in).
class OpportunityWriteSerializer(serializers.Serializer):
    """An opportunity's fields; skills are codes of the shared vocabulary, the occupation an ISCO-08 code."""

    kind = serializers.ChoiceField(choices=OpportunityKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    occupation_code = serializers.CharField(
        max_length=4, allow_blank=True, required=False, help_text="ISCO-08, 1 to 4 digits."
    )
    employer = VisibleEmployerField(
        allow_null=True, required=False, help_text="Where it takes place, when it is not the publisher."
    )
    comune = serializers.CharField(max_length=120, allow_blank=True, required=False)
    municipio = serializers.ChoiceField(choices=Municipio.choices, allow_null=True, required=False)
    address = serializers.CharField(max_length=200, allow_blank=True, required=False)
    hours_per_week = serializers.IntegerField(min_value=1, max_value=60, allow_null=True, required=False)
    days = serializers.ListField(child=serializers.ChoiceField(choices=Weekday.choices), max_length=7, required=False)
    days_and_times = serializers.CharField(max_length=200, allow_blank=True, required=False)
    contract_type = serializers.ChoiceField(choices=ContractType.choices, allow_blank=True, required=False)
    starts_on = serializers.DateField(allow_null=True, required=False)
    ends_on = serializers.DateField(allow_null=True, required=False)
    seats = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    required_skills = _skill_codes()
    desired_skills = _skill_codes()
    skills_taught = _skill_codes()
    support = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    accessibility = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    status = serializers.ChoiceField(
        choices=OpportunityStatus.choices, required=False, help_text="`draft` when omitted on creation."
    )


class OpportunityUpdateSerializer(OpportunityWriteSerializer):
    """Change some fields of an opportunity, quoting the `version` read."""

    version = serializers.IntegerField(min_value=1, help_text="The version the change is based on.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "title"):
            self.fields[name].required = False


@extend_schema_view(
    list=extend_schema(responses={200: OpportunitySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: OpportunitySerializer, **READ_ERRORS}),
    create=extend_schema(request=OpportunityWriteSerializer, responses={201: OpportunitySerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=OpportunityUpdateSerializer,
        responses={200: OpportunitySerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT},
    ),
)
class OpportunityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    PolicyViewSet,
):
    """The opportunity catalogue the user sees (filters: `kind`, `status`, `municipio`, `occupation_code`, `q`)."""

    model = Opportunity
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def may_write(self, user) -> bool:
        # Scouting staff publish for their organisation, a company referent for their company.
        return policy.can_create_opportunity(user)

    def base_queryset(self):
        return Opportunity.objects.select_related("organisation", "employer__organisation").order_by(
            "-created_at", "-pk"
        )

    def get_serializer_class(self):
        return {"create": OpportunityWriteSerializer, "partial_update": OpportunityUpdateSerializer}.get(
            self.action, OpportunitySerializer
        )

    def _answer(self, opportunity, *, status_code=status.HTTP_200_OK):
        return Response(OpportunitySerializer(self.base_queryset().get(pk=opportunity.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        """Publish an opportunity for the user's organisation (a draft unless `status` says otherwise)."""
        serializer = OpportunityWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        opportunity = services.opportunity_create(actor=request.user, **serializer.validated_data)
        return self._answer(opportunity, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change some fields, quoting `version`; 409 when someone changed the opportunity meanwhile."""
        opportunity = self.get_object()
        serializer = OpportunityUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": [serializers.Field.default_error_messages["required"]]})
        try:
            opportunity = services.opportunity_update(
                actor=request.user, opportunity=opportunity, version=version, **changes
            )
        except StaleObjectError as exc:
            return conflict_response(exc)
        return self._answer(opportunity)

    @extend_schema(request=None, responses={200: OpportunitySerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the opportunity: it leaves the catalogue and matching; live proposals keep their course."""
        opportunity = services.opportunity_close(actor=request.user, opportunity=self.get_object())
        return self._answer(opportunity)

    @extend_schema(request=None, responses={200: OpportunitySerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Open the opportunity again (or publish a draft): it is back in the catalogue and matching."""
        opportunity = services.opportunity_reopen(actor=request.user, opportunity=self.get_object())
        return self._answer(opportunity)

    @extend_schema(
        parameters=[LIMIT_PARAMETER],
        responses={200: OpportunityCandidatesSerializer, **READ_ERRORS, 400: BAD_REQUEST},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def candidates(self, request, pk=None):
        """The best candidates of the user's own caseload who consented to be proposed, each explained (audited)."""
        opportunity = self.get_object()
        if not access_for(request.user).sees_persons:
            raise Http404
        limit = match_limit(request)
        results = selectors.candidates_for_opportunity(
            request.user, opportunity, today=timezone.localdate(), limit=limit
        )
        audit_log(
            actor=request.user,
            action=Action.MATCH_VIEW,
            obj=opportunity,
            detail={"from": "opportunity", "persons": [r.person.pk for r in results]},
        )
        data = {"opportunity": opportunity.pk, "results": [candidate_match(r) for r in results]}
        return Response(OpportunityCandidatesSerializer(data).data)
