"""Individual plans and joint evaluations in the API: read them, approve a plan, sign an evaluation.

The same rules as the pages (plans/permissions.py): restrict() decides who reaches a plan or an evaluation,
another organisation's is a 404, every read is audited, and a write based on an old `version` answers 409
listing what changed meanwhile. Drafting a plan's content stays in the pages for now.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.base import RestrictedViewSet
from api.openapi import CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS
from audit.choices import Action
from audit.services import audit_log
from core.exceptions import StaleObjectError
from plans import selectors
from plans import services as plan_services
from plans.models import Evaluation, Goal, Participant, Plan, PlanAction, Resource

# ---------------------------------------------------------------------------------------------- plans


class PlanActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAction
        fields = ["id", "description", "organisation", "operator_name", "starts_on", "due_on"]
        read_only_fields = fields


class ResourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "description", "funding_source", "cost"]
        read_only_fields = fields


class GoalSerializer(serializers.ModelSerializer):
    actions = PlanActionSerializer(many=True, read_only=True)
    resources = ResourceSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "area", "title", "description", "actions", "resources"]
        read_only_fields = fields


class PlanSummarySerializer(serializers.ModelSerializer):
    """A version of a person's plan, without its content (lists)."""

    class Meta:
        model = Plan
        fields = [
            "id",
            "person",
            "organisation",
            "number",
            "status",
            "title",
            "starts_on",
            "ends_on",
            "person_agreed",
            "agreed_on",
            "approved_at",
            "evaluation",
            "version",
        ]
        read_only_fields = fields


class BudgetSerializer(serializers.Serializer):
    """Totals by funding source: per area and for the plan."""

    by_area = serializers.DictField(child=serializers.DictField(child=serializers.DecimalField(12, 2)))
    total = serializers.DictField(child=serializers.DecimalField(12, 2))
    grand_total = serializers.DecimalField(12, 2)


class PlanSerializer(PlanSummarySerializer):
    """A version of a person's plan with its goals, actions, resources and budget."""

    goals = serializers.SerializerMethodField()
    budget = serializers.SerializerMethodField()

    class Meta(PlanSummarySerializer.Meta):
        fields = [*PlanSummarySerializer.Meta.fields, "goals", "budget"]
        read_only_fields = fields

    def _goals(self, plan):
        if not hasattr(plan, "_api_goals"):
            plan._api_goals = selectors.with_content(plan)
        return plan._api_goals

    @extend_schema_field(GoalSerializer(many=True))
    def get_goals(self, plan) -> list[dict]:
        return GoalSerializer(self._goals(plan), many=True).data

    @extend_schema_field(BudgetSerializer)
    def get_budget(self, plan) -> dict:
        table = selectors.budget(self._goals(plan))
        return BudgetSerializer(
            {
                "by_area": {area.area: area.by_source for area, _rows in table.areas},
                "total": table.total.by_source,
                "grand_total": table.total.total,
            }
        ).data


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The `version` read: a stale one answers 409.")


def _conflict(exc: StaleObjectError) -> Response:
    changes = getattr(exc, "changes", None)
    changed = [change.what for change in changes] if changes is not None else sorted(exc.changed)
    return Response(
        {
            "detail": "Someone else changed this meanwhile. Read it again and reapply your change.",
            "changed": changed,
            "version": exc.current.version,
        },
        status=status.HTTP_409_CONFLICT,
    )


@extend_schema_view(
    list=extend_schema(responses={200: PlanSummarySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: PlanSerializer, **READ_ERRORS}),
)
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Versions of individual plans the user may see (filter: `person`)."""

    model = Plan
    serializer_class = PlanSummarySerializer

    def base_queryset(self):
        return selectors.plan_queryset().order_by("person_id", "-number")

    def get_queryset(self):
        queryset = super().get_queryset()
        person = self.request.query_params.get("person")
        if person is not None:
            queryset = queryset.filter(person_id=person) if person.isdigit() else queryset.none()
        return queryset

    def retrieve(self, request, *args, **kwargs):
        """One version with its content and budget (audited)."""
        plan = self.get_object()
        audit_log(actor=request.user, action=Action.PLAN_VIEW, obj=plan, person=plan.person)
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data)

    @extend_schema(request=VersionSerializer, responses={200: PlanSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the draft: it comes into force and never changes again (400 lists what it still lacks)."""
        plan = self.get_object()
        serializer = VersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            plan = plan_services.plan_approve(
                actor=request.user, plan=plan, version=serializer.validated_data["version"]
            )
        except StaleObjectError as exc:
            return _conflict(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data)


# ---------------------------------------------------------------------------------------------- evaluations


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["id", "user", "organisation", "role", "signed_at"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    """A joint evaluation (UVM/EVM): its participants and their signatures, the conclusion, the proposals."""

    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "person",
            "organisation",
            "held_on",
            "place",
            "assessments",
            "conclusion",
            "proposals",
            "status",
            "completed_at",
            "participants",
            "version",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(responses={200: EvaluationSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: EvaluationSerializer, **READ_ERRORS}),
)
class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Joint evaluations the user may see (filter: `person`)."""

    model = Evaluation
    serializer_class = EvaluationSerializer

    def base_queryset(self):
        return Evaluation.objects.select_related("person").prefetch_related("participants", "assessments")

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-held_on", "-pk")
        person = self.request.query_params.get("person")
        if person is not None:
            queryset = queryset.filter(person_id=person) if person.isdigit() else queryset.none()
        return queryset

    def restrict_action(self) -> str:
        # Signing is for the participants, whom the service checks; reaching the evaluation is a read.
        return "view"

    def retrieve(self, request, *args, **kwargs):
        """One evaluation (audited)."""
        evaluation = self.get_object()
        audit_log(actor=request.user, action=Action.EVALUATION_VIEW, obj=evaluation, person=evaluation.person)
        return Response(EvaluationSerializer(evaluation).data)

    @extend_schema(
        request=VersionSerializer, responses={200: EvaluationSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """The signed-in participant signs the evaluation as read at `version`; the last signature completes it."""
        evaluation = self.get_object()
        serializer = VersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            evaluation = plan_services.evaluation_sign(
                actor=request.user, evaluation=evaluation, version=serializer.validated_data["version"]
            )
        except StaleObjectError as exc:
            return _conflict(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied("Only a participant signs the evaluation.") from exc
        evaluation = self.base_queryset().get(pk=evaluation.pk)
        return Response(EvaluationSerializer(evaluation).data)
