"""Cases and referrals: `/api/v1/cases/`, `/api/v1/referrals/`.

Neither carries clinical content: the receiver of a referral sees who is referred, from where and why, never
the diagnosis group (that stays with the clinicians of the treating organisation, on the person's record).
"""

import django_filters
from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import access_for
from accounts.models import Unit
from api.base import RestrictedViewSet
from api.openapi import CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.persons import conflict_response
from audit.choices import Action
from audit.services import audit_log
from cases import services as case_services
from cases.choices import Area, ClosingReason
from cases.models import Case, Referral
from cases.selectors import person_visible_to
from core.exceptions import StaleObjectError
from people.models import Person

# ---------------------------------------------------------------------------------------------- serializers


class CaseSerializer(serializers.ModelSerializer):
    """A case (presa in carico) of the user's organisation."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    case_manager_name = serializers.CharField(source="case_manager", read_only=True, allow_null=True)
    closing_reason = serializers.ChoiceField(choices=ClosingReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "person",
            "person_name",
            "organisation",
            "organisation_name",
            "unit",
            "unit_name",
            "area",
            "case_manager",
            "case_manager_name",
            "status",
            "opened_on",
            "closed_on",
            "closing_reason",
            "closing_note",
            "version",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class CaseManagerField(serializers.PrimaryKeyRelatedField):
    """A user of one of the requesting user's organisations (others are unknown ids)."""

    def get_queryset(self):
        orgs = access_for(self.context["request"].user).write_org_ids
        return (
            get_user_model()
            .objects.filter(is_active=True, memberships__is_active=True, memberships__unit__organisation_id__in=orgs)
            .distinct()
        )


@extend_schema_field(OpenApiTypes.INT)
class ReachablePersonField(serializers.PrimaryKeyRelatedField):
    """A person the requesting user sees: anybody else is an unknown id, whether the row exists or not."""

    def get_queryset(self):
        return Person.objects.restrict(self.context["request"].user, "view")


class CaseOpenSerializer(serializers.Serializer):
    """Take a person in charge in one of the user's units."""

    person = ReachablePersonField()
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    area = serializers.ChoiceField(choices=Area.choices)
    case_manager = CaseManagerField(required=False, allow_null=True)
    opened_on = serializers.DateField(required=False, allow_null=True, help_text="Today when omitted.")


class CaseCloseSerializer(serializers.Serializer):
    """Close a case, with the reason; `version` (optional) guards against a concurrent change."""

    closed_on = serializers.DateField()
    closing_reason = serializers.ChoiceField(choices=ClosingReason.choices)
    closing_note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False)


class ReferralSerializer(serializers.ModelSerializer):
    """A referral between two units, as both the sender and the receiver see it (no clinical content)."""

    person_name = serializers.SerializerMethodField(
        help_text="The person's name; null when the user may no longer see the person (consent withdrawn)."
    )
    from_unit_name = serializers.CharField(source="from_unit.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)
    from_organisation_name = serializers.CharField(source="from_organisation.name", read_only=True)
    to_organisation_name = serializers.CharField(source="to_organisation.name", read_only=True)
    direction = serializers.SerializerMethodField(help_text="`in` when addressed to the user's organisation.")

    class Meta:
        model = Referral
        fields = [
            "id",
            "person",
            "person_name",
            "from_unit",
            "from_unit_name",
            "from_organisation",
            "from_organisation_name",
            "to_unit",
            "to_unit_name",
            "to_organisation",
            "to_organisation_name",
            "direction",
            "area",
            "reason",
            "status",
            "sent_at",
            "decided_at",
            "rejection_reason",
            "withdrawn_at",
            "case",
        ]
        read_only_fields = fields

    def get_person_name(self, referral) -> str | None:
        visible = getattr(referral, "person_visible", None)
        if visible is None:  # a referral just written, not read through the annotated queryset
            user = self.context["request"].user
            visible = Person.objects.restrict(user, "view").filter(pk=referral.person_id).exists()
        return referral.person.full_name if visible else None

    def get_direction(self, referral) -> str:
        orgs = access_for(self.context["request"].user).person_org_ids
        return "in" if referral.to_organisation_id in orgs else "out"


class ReferralSendSerializer(serializers.Serializer):
    """Refer a person from one of the user's units to another unit."""

    person = ReachablePersonField()
    from_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    to_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    area = serializers.ChoiceField(choices=Area.choices)
    reason = serializers.CharField(max_length=5000)


class ReferralAcceptSerializer(serializers.Serializer):
    """Accept a referral: a case opens in the receiving unit."""

    case_manager = CaseManagerField(required=False, allow_null=True)
    opened_on = serializers.DateField(required=False, allow_null=True, help_text="Today when omitted.")


class ReferralRejectSerializer(serializers.Serializer):
    """Reject a referral, saying why."""

    reason = serializers.CharField(max_length=5000)


# ---------------------------------------------------------------------------------------------- filters


class CaseFilter(django_filters.FilterSet):
    # Plain numbers, not choices checked against the whole table: a hidden id must not answer differently
    # from a missing one.
    person = django_filters.NumberFilter(field_name="person_id")
    case_manager = django_filters.NumberFilter(field_name="case_manager_id")

    class Meta:
        model = Case
        fields = ["status", "area", "unit", "person", "case_manager"]


class ReferralFilter(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(
        choices=[("in", "in"), ("out", "out")],
        method="by_direction",
        label="`in`: addressed to the user's organisations; `out`: sent by them",
    )
    person = django_filters.NumberFilter(field_name="person_id")

    class Meta:
        model = Referral
        fields = ["status", "area", "direction", "person"]

    def by_direction(self, queryset, name, value):
        orgs = access_for(self.request.user).person_org_ids
        if value == "in":
            return queryset.filter(to_organisation_id__in=orgs)
        return queryset.filter(from_organisation_id__in=orgs)


# ---------------------------------------------------------------------------------------------- views


@extend_schema_view(
    list=extend_schema(responses={200: CaseSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: CaseSerializer, **READ_ERRORS}),
    create=extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer, **WRITE_ERRORS}),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """The cases of the user's organisations (filters: status, area, unit, person, case_manager)."""

    model = Case
    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    def base_queryset(self):
        return Case.objects.select_related("person", "organisation", "unit", "case_manager")

    def get_serializer_class(self):
        return {"create": CaseOpenSerializer, "close": CaseCloseSerializer}.get(self.action, CaseSerializer)

    def retrieve(self, request, *args, **kwargs):
        """A case of the user's organisation (audited)."""
        case = self.get_object()
        audit_log(actor=request.user, action=Action.CASE_VIEW, obj=case, person=case.person)
        return Response(CaseSerializer(case).data)

    def create(self, request, *args, **kwargs):
        """Open a case: take a person in charge in one of the user's units."""
        serializer = CaseOpenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        case = case_services.case_open(actor=request.user, **serializer.validated_data)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseCloseSerializer, responses={200: CaseSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the case with a date and a reason."""
        case = self.get_object()
        serializer = CaseCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            case = case_services.case_close(actor=request.user, case=case, **serializer.validated_data)
        except StaleObjectError as exc:
            return conflict_response(exc)
        return Response(CaseSerializer(case).data)


@extend_schema_view(
    list=extend_schema(responses={200: ReferralSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ReferralSerializer, **READ_ERRORS}),
    create=extend_schema(request=ReferralSendSerializer, responses={201: ReferralSerializer, **WRITE_ERRORS}),
)
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """Referrals sent or received by the user's organisations (filters: status, area, direction, person)."""

    model = Referral
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def base_queryset(self):
        return Referral.objects.select_related(
            "person", "from_unit", "to_unit", "from_organisation", "to_organisation"
        ).annotate(person_visible=person_visible_to(self.request.user))

    def get_serializer_class(self):
        return {
            "create": ReferralSendSerializer,
            "accept": ReferralAcceptSerializer,
            "reject": ReferralRejectSerializer,
        }.get(self.action, ReferralSerializer)

    def _answer(self, referral, *, status_code=status.HTTP_200_OK):
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        """A referral sent or received by the user's organisation (audited)."""
        referral = self.get_object()
        audit_log(actor=request.user, action=Action.REFERRAL_VIEW, obj=referral, person=referral.person)
        return self._answer(referral)

    def create(self, request, *args, **kwargs):
        """Send a referral; it rests on the person's sharing consent to the receiving organisation."""
        serializer = ReferralSendSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        referral = case_services.referral_send(actor=request.user, **serializer.validated_data)
        return self._answer(referral, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=ReferralAcceptSerializer, responses={200: ReferralSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the referral; the answer carries the id of the case opened."""
        referral = self.get_object()
        serializer = ReferralAcceptSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        case_services.referral_accept(actor=request.user, referral=referral, **serializer.validated_data)
        return self._answer(self.base_queryset().get(pk=referral.pk))

    @extend_schema(request=ReferralRejectSerializer, responses={200: ReferralSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject the referral with a reason."""
        referral = self.get_object()
        serializer = ReferralRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = case_services.referral_reject(actor=request.user, referral=referral, **serializer.validated_data)
        return self._answer(referral)

    @extend_schema(request=None, responses={200: ReferralSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a referral the user's organisation sent."""
        referral = self.get_object()
        referral = case_services.referral_withdraw(actor=request.user, referral=referral)
        return self._answer(referral)
