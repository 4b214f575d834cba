"""Individual plans and joint evaluations in the API: read them; draft a plan's content (header and agreement,
goals, actions, resources, review dates), approve it and record its reviews; convene, edit and sign a joint
evaluation and draft the plan it proposes.

The same rules as the pages (plans/permissions.py): restrict() decides who reaches a plan or an evaluation,
another organisation's is a 404, every read is audited, every write goes through plans/services.py (which audits
it), an approved version never changes (403), a person has at most one draft and one plan in force, and a write
based on an old `version` answers 409 listing what changed meanwhile.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from api.base import RestrictedViewSet
from api.cases import ReachablePersonField
from api.openapi import CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from assessments.models import Assessment
from audit.choices import Action
from audit.services import audit_log
from core.exceptions import StaleObjectError
from plans import selectors
from plans import services as plan_services
from plans.choices import FundingSource, GoalArea, Outcome
from plans.forms import responsible_organisations
from plans.models import Evaluation, Goal, Participant, Plan, PlanAction, Resource, Review, Term

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
    term = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The focus area of the shared vocabulary (its code), if any.",
    )

    class Meta:
        model = Goal
        fields = ["id", "area", "title", "description", "term", "actions", "resources"]
        read_only_fields = fields


class GoalOutcomeSerializer(serializers.Serializer):
    goal = serializers.IntegerField(source="goal_id")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer):
    """A review date of the plan; once held, the outcome of every goal."""

    outcomes = GoalOutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "planned_on", "held_on", "note", "outcomes"]
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
            "previous",
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
    reviews = serializers.SerializerMethodField()

    class Meta(PlanSummarySerializer.Meta):
        fields = [*PlanSummarySerializer.Meta.fields, "agreement_note", "goals", "budget", "reviews"]
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

    @extend_schema_field(ReviewSerializer(many=True))
    def get_reviews(self, plan) -> list[dict]:
        reviews = plan.reviews.prefetch_related("outcomes").order_by("planned_on", "pk")
        return ReviewSerializer(reviews, many=True).data


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


# ---------------------------------------------------------------------------------------------- plan: input


class PlanCreateSerializer(serializers.Serializer):
    """Open the person's draft: a copy of the version in force if there is one (a new version), else version 1."""

    person = ReachablePersonField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PlanUpdateSerializer(serializers.Serializer):
    """Change the draft's header and the person's agreement; omitted fields keep their value."""

    version = serializers.IntegerField(min_value=1, help_text="The `version` read: a stale one answers 409.")
    title = serializers.CharField(max_length=200, required=False)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    person_agreed = serializers.BooleanField(required=False)
    agreed_on = serializers.DateField(required=False, allow_null=True)
    agreement_note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class GoalWriteSerializer(serializers.Serializer):
    """A goal of the draft; on a change, omitted fields keep their value."""

    version = serializers.IntegerField(min_value=1, help_text="The `version` read: a stale one answers 409.")
    area = serializers.ChoiceField(choices=GoalArea.choices)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    term = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Term.objects.all(),
        required=False,
        allow_null=True,
        help_text="The code of a focus area of the shared vocabulary (`/vocabulary/`).",
    )


@extend_schema_field(OpenApiTypes.INT)
class ResponsibleOrganisationField(serializers.PrimaryKeyRelatedField):
    """An active care organisation of the network."""

    def get_queryset(self):
        return responsible_organisations()


class PlanActionWriteSerializer(serializers.Serializer):
    """An action towards a goal of the draft; on a change, omitted fields keep their value."""

    version = serializers.IntegerField(min_value=1, help_text="The `version` read: a stale one answers 409.")
    goal = serializers.IntegerField(help_text="The goal of this plan the action serves.")
    description = serializers.CharField(max_length=300)
    organisation = ResponsibleOrganisationField(help_text="The responsible organisation.")
    operator_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class ResourceWriteSerializer(serializers.Serializer):
    """A costed resource of a goal of the draft; on a change, omitted fields keep their value."""

    version = serializers.IntegerField(min_value=1, help_text="The `version` read: a stale one answers 409.")
    goal = serializers.IntegerField(help_text="The goal of this plan the resource serves.")
    description = serializers.CharField(max_length=300)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices)
    cost = serializers.DecimalField(10, 2, min_value=0)


class ReviewDateSerializer(serializers.Serializer):
    """A review date of the draft."""

    version = serializers.IntegerField(min_value=1, help_text="The `version` read: a stale one answers 409.")
    planned_on = serializers.DateField()


class GoalOutcomeWriteSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReviewRecordSerializer(serializers.Serializer):
    """A review of the plan in force: the outcome of every goal (recorded once, never changed)."""

    held_on = serializers.DateField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    outcomes = GoalOutcomeWriteSerializer(many=True, allow_empty=False)

    def validate_outcomes(self, value):
        goals = [row["goal"] for row in value]
        if len(goals) != len(set(goals)):
            raise serializers.ValidationError(_("Give each goal's outcome once."))
        return value


VERSION_PARAMETER = OpenApiParameter(
    "version", int, required=True, description="The `version` read: a stale one answers 409."
)
GOAL_ID = OpenApiParameter("goal_pk", int, OpenApiParameter.PATH, description="The goal's id.")
ACTION_ID = OpenApiParameter("action_pk", int, OpenApiParameter.PATH, description="The action's id.")
RESOURCE_ID = OpenApiParameter("resource_pk", int, OpenApiParameter.PATH, description="The resource's id.")
REVIEW_ID = OpenApiParameter("review_pk", int, OpenApiParameter.PATH, description="The review's id.")

DRAFT_WRITE = {200: PlanSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT}
DRAFT_ADD = {201: PlanSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT}
DRAFT_DELETE = {
    200: PlanSerializer,
    400: DETAIL_WRITE_ERRORS[400],
    403: DETAIL_WRITE_ERRORS[403],
    404: DETAIL_WRITE_ERRORS[404],
    409: CONFLICT,
}


def _version_param(request) -> int:
    """The `version` of a DELETE, sent as a query parameter."""
    raw = request.query_params.get("version", "")
    if not raw.isdigit() or int(raw) < 1:
        raise serializers.ValidationError({"version": [_("Send the version you read, as ?version=.")]})
    return int(raw)


# ---------------------------------------------------------------------------------------------- plan: views


@extend_schema_view(
    list=extend_schema(responses={200: PlanSummarySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: PlanSerializer, **READ_ERRORS}),
    create=extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(request=PlanUpdateSerializer, responses=DRAFT_WRITE),
)
class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RestrictedViewSet,
):
    """Versions of individual plans the user may see (filter: `person`); drafting and approving them."""

    model = Plan
    serializer_class = PlanSummarySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self):
        return selectors.plan_queryset().order_by("person_id", "-number")

    def get_queryset(self):
        queryset = super().get_queryset()
        person = self.request.query_params.get("person")
        if person is not None:
            queryset = queryset.filter(person_id=person) if person.isdigit() else queryset.none()
        return queryset

    def get_serializer_class(self):
        return {
            "create": PlanCreateSerializer,
            "partial_update": PlanUpdateSerializer,
            "approve": VersionSerializer,
            "goals": GoalWriteSerializer,
            "goal": GoalWriteSerializer,
            "actions": PlanActionWriteSerializer,
            "plan_action": PlanActionWriteSerializer,
            "resources": ResourceWriteSerializer,
            "resource": ResourceWriteSerializer,
            "reviews": ReviewDateSerializer,
            "review": ReviewDateSerializer,
            "review_record": ReviewRecordSerializer,
        }.get(self.action, PlanSummarySerializer)

    def _answer(self, plan_pk: int, *, status_code=status.HTTP_200_OK) -> Response:
        plan = selectors.plan_queryset().get(pk=plan_pk)
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data, status=status_code)

    def _write(self, plan: Plan, call, *, status_code=status.HTTP_200_OK) -> Response:
        """Run a service on the draft: 409 on a stale version, 403 on an approved version (it never changes)."""
        try:
            call()
        except StaleObjectError as exc:
            return _conflict(exc)
        except DjangoPermissionDenied as exc:
            if not plan.is_draft:
                raise PermissionDenied(
                    _("An approved version never changes: open a new draft (POST /api/v1/plans/) to change the plan.")
                ) from exc
            raise PermissionDenied from exc
        return self._answer(plan.pk, status_code=status_code)

    def _input(self, serializer_class, *, partial_from: dict | None = None):
        data = request_data = self.request.data
        if partial_from is not None and isinstance(request_data, dict):
            data = {**partial_from, **request_data}
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _goal(self, plan: Plan, goal_pk) -> Goal:
        goal = Goal.objects.filter(plan=plan, pk=goal_pk).first() if str(goal_pk).isdigit() else None
        if goal is None:
            raise NotFound
        return goal

    def _goal_in_body(self, plan: Plan, goal_pk: int) -> Goal:
        goal = Goal.objects.filter(plan=plan, pk=goal_pk).first()
        if goal is None:
            raise serializers.ValidationError({"goal": [_("This goal is not part of the plan.")]})
        return goal

    def retrieve(self, request, *args, **kwargs):
        """One version with its content, budget and reviews (audited)."""
        plan = self.get_object()
        audit_log(actor=request.user, action=Action.PLAN_VIEW, obj=plan, person=plan.person)
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data)

    def create(self, request, *args, **kwargs):
        """Open the person's draft (400 when a draft exists already: continue that one)."""
        data = self._input(PlanCreateSerializer)
        plan = plan_services.plan_create(actor=request.user, person=data["person"], title=data.get("title", ""))
        return self._answer(plan.pk, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change the draft's title, dates and the person's agreement, quoting `version`."""
        plan = self.get_object()
        fields = ("title", "starts_on", "ends_on", "person_agreed", "agreed_on", "agreement_note")
        current = {name: getattr(plan, name) for name in fields}
        data = self._input(PlanUpdateSerializer)
        values = {**current, **{name: data[name] for name in fields if name in data}}
        return self._write(
            plan, lambda: plan_services.plan_update(actor=request.user, plan=plan, version=data["version"], **values)
        )

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

    # -- goals

    @extend_schema(request=GoalWriteSerializer, responses=DRAFT_ADD)
    @action(detail=True, methods=["post"])
    def goals(self, request, pk=None):
        """Add a goal to the draft; the answer is the plan with its new `version`."""
        plan = self.get_object()
        data = self._input(GoalWriteSerializer)
        return self._write(
            plan,
            lambda: plan_services.goal_save(
                actor=request.user,
                plan=plan,
                version=data["version"],
                area=data["area"],
                title=data["title"],
                description=data.get("description", ""),
                term=data.get("term"),
            ),
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(methods=["PATCH"], parameters=[GOAL_ID], request=GoalWriteSerializer, responses=DRAFT_WRITE)
    @extend_schema(methods=["DELETE"], parameters=[GOAL_ID, VERSION_PARAMETER], request=None, responses=DRAFT_DELETE)
    @action(detail=True, methods=["patch", "delete"], url_path="goals/<str:goal_pk>")
    def goal(self, request, pk=None, goal_pk=None):
        """PATCH: change a goal of the draft. DELETE: remove it with its actions and resources."""
        plan = self.get_object()
        goal = self._goal(plan, goal_pk)
        if request.method == "DELETE":
            version = _version_param(request)
            return self._write(
                plan, lambda: plan_services.goal_delete(actor=request.user, plan=plan, version=version, goal=goal)
            )
        current = {"area": goal.area, "title": goal.title, "description": goal.description}
        if goal.term_id:
            current["term"] = goal.term.slug
        data = self._input(GoalWriteSerializer, partial_from=current)
        return self._write(
            plan,
            lambda: plan_services.goal_save(
                actor=request.user,
                plan=plan,
                version=data["version"],
                goal=goal,
                area=data["area"],
                title=data["title"],
                description=data.get("description", ""),
                term=data.get("term"),
            ),
        )

    # -- actions

    def _action_kwargs(self, plan: Plan, data) -> dict:
        return {
            "goal": self._goal_in_body(plan, data["goal"]),
            "description": data["description"],
            "organisation": data["organisation"],
            "operator_name": data.get("operator_name", ""),
            "starts_on": data.get("starts_on"),
            "due_on": data.get("due_on"),
        }

    @extend_schema(request=PlanActionWriteSerializer, responses=DRAFT_ADD)
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        """Add an action to a goal of the draft."""
        plan = self.get_object()
        data = self._input(PlanActionWriteSerializer)
        kwargs = self._action_kwargs(plan, data)
        return self._write(
            plan,
            lambda: plan_services.action_save(actor=request.user, plan=plan, version=data["version"], **kwargs),
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(methods=["PATCH"], parameters=[ACTION_ID], request=PlanActionWriteSerializer, responses=DRAFT_WRITE)
    @extend_schema(methods=["DELETE"], parameters=[ACTION_ID, VERSION_PARAMETER], request=None, responses=DRAFT_DELETE)
    @action(detail=True, methods=["patch", "delete"], url_path="actions/<str:action_pk>")
    def plan_action(self, request, pk=None, action_pk=None):
        """PATCH: change an action of the draft (`goal` moves it). DELETE: remove it."""
        plan = self.get_object()
        target = None
        if str(action_pk).isdigit():
            target = PlanAction.objects.filter(goal__plan=plan, pk=action_pk).first()
        if target is None:
            raise NotFound
        if request.method == "DELETE":
            version = _version_param(request)
            return self._write(
                plan, lambda: plan_services.action_delete(actor=request.user, plan=plan, version=version, action=target)
            )
        current = {
            "goal": target.goal_id,
            "description": target.description,
            "organisation": target.organisation_id,
            "operator_name": target.operator_name,
            "starts_on": target.starts_on,
            "due_on": target.due_on,
        }
        data = self._input(PlanActionWriteSerializer, partial_from=current)
        kwargs = self._action_kwargs(plan, data)
        return self._write(
            plan,
            lambda: plan_services.action_save(
                actor=request.user, plan=plan, version=data["version"], action=target, **kwargs
            ),
        )

    # -- resources

    @extend_schema(request=ResourceWriteSerializer, responses=DRAFT_ADD)
    @action(detail=True, methods=["post"])
    def resources(self, request, pk=None):
        """Add a costed resource to a goal of the draft."""
        plan = self.get_object()
        data = self._input(ResourceWriteSerializer)
        goal = self._goal_in_body(plan, data["goal"])
        return self._write(
            plan,
            lambda: plan_services.resource_save(
                actor=request.user,
                plan=plan,
                version=data["version"],
                goal=goal,
                description=data["description"],
                funding_source=data["funding_source"],
                cost=data["cost"],
            ),
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(methods=["PATCH"], parameters=[RESOURCE_ID], request=ResourceWriteSerializer, responses=DRAFT_WRITE)
    @extend_schema(
        methods=["DELETE"], parameters=[RESOURCE_ID, VERSION_PARAMETER], request=None, responses=DRAFT_DELETE
    )
    @action(detail=True, methods=["patch", "delete"], url_path="resources/<str:resource_pk>")
    def resource(self, request, pk=None, resource_pk=None):
        """PATCH: change a resource of the draft (`goal` moves it). DELETE: remove it."""
        plan = self.get_object()
        target = None
        if str(resource_pk).isdigit():
            target = Resource.objects.filter(goal__plan=plan, pk=resource_pk).first()
        if target is None:
            raise NotFound
        if request.method == "DELETE":
            version = _version_param(request)
            return self._write(
                plan,
                lambda: plan_services.resource_delete(actor=request.user, plan=plan, version=version, resource=target),
            )
        current = {
            "goal": target.goal_id,
            "description": target.description,
            "funding_source": target.funding_source,
            "cost": target.cost,
        }
        data = self._input(ResourceWriteSerializer, partial_from=current)
        goal = self._goal_in_body(plan, data["goal"])
        return self._write(
            plan,
            lambda: plan_services.resource_save(
                actor=request.user,
                plan=plan,
                version=data["version"],
                goal=goal,
                resource=target,
                description=data["description"],
                funding_source=data["funding_source"],
                cost=data["cost"],
            ),
        )

    # -- reviews

    @extend_schema(request=ReviewDateSerializer, responses=DRAFT_ADD)
    @action(detail=True, methods=["post"])
    def reviews(self, request, pk=None):
        """Add a review date to the draft."""
        plan = self.get_object()
        data = self._input(ReviewDateSerializer)
        return self._write(
            plan,
            lambda: plan_services.review_date_add(
                actor=request.user, plan=plan, version=data["version"], planned_on=data["planned_on"]
            ),
            status_code=status.HTTP_201_CREATED,
        )

    def _review(self, plan: Plan, review_pk) -> Review:
        review = Review.objects.filter(plan=plan, pk=review_pk).first() if str(review_pk).isdigit() else None
        if review is None:
            raise NotFound
        return review

    @extend_schema(parameters=[REVIEW_ID, VERSION_PARAMETER], request=None, responses=DRAFT_DELETE)
    @action(detail=True, methods=["delete"], url_path="reviews/<str:review_pk>")
    def review(self, request, pk=None, review_pk=None):
        """Remove a review date (not yet held) from the draft."""
        plan = self.get_object()
        review = self._review(plan, review_pk)
        version = _version_param(request)
        return self._write(
            plan,
            lambda: plan_services.review_date_delete(actor=request.user, plan=plan, version=version, review=review),
        )

    @extend_schema(
        parameters=[REVIEW_ID], request=ReviewRecordSerializer, responses={200: PlanSerializer, **DETAIL_WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="reviews/<str:review_pk>/record")
    def review_record(self, request, pk=None, review_pk=None):
        """Record a review of the plan in force: the outcome (achieved, partly, not achieved) of every goal."""
        plan = self.get_object()
        review = self._review(plan, review_pk)
        data = self._input(ReviewRecordSerializer)
        outcomes = {row["goal"]: (row["outcome"], row.get("note", "")) for row in data["outcomes"]}
        unknown = set(outcomes) - set(plan.goals.values_list("pk", flat=True))
        if unknown:
            raise serializers.ValidationError(
                {
                    "outcomes": [
                        _("These goals are not part of the plan: %(ids)s.")
                        % {"ids": ", ".join(map(str, sorted(unknown)))}
                    ]
                }
            )
        try:
            plan_services.review_record(
                actor=request.user,
                plan=plan,
                review=review,
                held_on=data["held_on"],
                outcomes=outcomes,
                note=data.get("note", ""),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(_("Reviews are recorded on the version in force.")) from exc
        return self._answer(plan.pk)


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


class EvaluationCreateSerializer(serializers.Serializer):
    """Convene a joint evaluation of a person; the user takes part in `role`."""

    person = ReachablePersonField()
    held_on = serializers.DateField()
    role = serializers.CharField(max_length=120, help_text="The user's role in the evaluation.")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema_field(OpenApiTypes.INT)
class VisibleAssessmentField(serializers.PrimaryKeyRelatedField):
    """An assessment the user sees (the service checks it is the person's)."""

    def get_queryset(self):
        return Assessment.objects.restrict(self.context["request"].user, "view")


class EvaluationUpdateSerializer(serializers.Serializer):
    """Change the session, its conclusion, the proposed goals by area and the assessments used, quoting
    `version`; omitted fields keep their value. A change of content clears the signatures given so far."""

    version = serializers.IntegerField(min_value=1, help_text="The `version` read: a stale one answers 409.")
    held_on = serializers.DateField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    conclusion = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    proposals = serializers.DictField(
        child=serializers.CharField(max_length=4000, allow_blank=True),
        required=False,
        help_text="Proposed goals by area (housing, work, social, health, justice), one goal a line.",
    )
    assessments = VisibleAssessmentField(many=True, required=False)

    def validate_proposals(self, value):
        unknown = sorted(set(value) - set(GoalArea.values))
        if unknown:
            raise serializers.ValidationError(_("Unknown areas: %(areas)s.") % {"areas": ", ".join(unknown)})
        return value


class ParticipantAddSerializer(serializers.Serializer):
    """Add a professional whose organisation sees the person's record."""

    version = serializers.IntegerField(min_value=1, help_text="The `version` read: a stale one answers 409.")
    user = serializers.IntegerField(help_text="The professional (a user id).")
    organisation = serializers.IntegerField(
        required=False, help_text="For whom they take part, when they belong to several organisations."
    )
    role = serializers.CharField(max_length=120, help_text="Their role in the evaluation.")


PARTICIPANT_ID = OpenApiParameter("participant_pk", int, OpenApiParameter.PATH, description="The participant's id.")
EVALUATION_WRITE = {200: EvaluationSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT}


@extend_schema_view(
    list=extend_schema(responses={200: EvaluationSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: EvaluationSerializer, **READ_ERRORS}),
    create=extend_schema(request=EvaluationCreateSerializer, responses={201: EvaluationSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(request=EvaluationUpdateSerializer, responses=EVALUATION_WRITE),
)
class EvaluationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RestrictedViewSet,
):
    """Joint evaluations the user may see (filter: `person`); convening, editing and signing them."""

    model = Evaluation
    serializer_class = EvaluationSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self):
        return Evaluation.objects.select_related("person").prefetch_related("participants", "assessments")

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-held_on", "-pk")
        person = self.request.query_params.get("person")
        if person is not None:
            queryset = queryset.filter(person_id=person) if person.isdigit() else queryset.none()
        return queryset

    def get_serializer_class(self):
        return {
            "create": EvaluationCreateSerializer,
            "partial_update": EvaluationUpdateSerializer,
            "sign": VersionSerializer,
            "participants": ParticipantAddSerializer,
            "participant": VersionSerializer,
        }.get(self.action, EvaluationSerializer)

    def restrict_action(self) -> str:
        # Changing is for the convening organisation and signing for the participants, which the services check
        # (403); reaching the evaluation is a read, so that a participant of another organisation can sign.
        return "view"

    def _answer(self, pk: int, *, status_code=status.HTTP_200_OK) -> Response:
        return Response(EvaluationSerializer(self.base_queryset().get(pk=pk)).data, status=status_code)

    def _write(self, evaluation: Evaluation, call) -> Response:
        try:
            call()
        except StaleObjectError as exc:
            return _conflict(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(
                _("Only the convening organisation changes the evaluation, and only while it is open.")
            ) from exc
        return self._answer(evaluation.pk)

    def retrieve(self, request, *args, **kwargs):
        """One evaluation (audited)."""
        evaluation = self.get_object()
        audit_log(actor=request.user, action=Action.EVALUATION_VIEW, obj=evaluation, person=evaluation.person)
        return Response(EvaluationSerializer(evaluation).data)

    def create(self, request, *args, **kwargs):
        """Convene a joint evaluation of a person the user's organisation treats."""
        serializer = EvaluationCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evaluation = plan_services.evaluation_create(
            actor=request.user,
            person=data["person"],
            held_on=data["held_on"],
            role=data["role"],
            place=data.get("place", ""),
        )
        return self._answer(evaluation.pk, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change the session, conclusion, proposed goals and assessments used, quoting `version`."""
        evaluation = self.get_object()
        serializer = EvaluationUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        values = {
            "held_on": data.get("held_on", evaluation.held_on),
            "place": data.get("place", evaluation.place),
            "conclusion": data.get("conclusion", evaluation.conclusion),
            "proposals": data.get("proposals", evaluation.proposals),
            "assessments": data.get("assessments", list(evaluation.assessments.all())),
        }
        return self._write(
            evaluation,
            lambda: plan_services.evaluation_update(
                actor=request.user, evaluation=evaluation, version=data["version"], **values
            ),
        )

    @extend_schema(request=ParticipantAddSerializer, responses=EVALUATION_WRITE)
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        """Add a professional of an organisation that sees the person's record."""
        evaluation = self.get_object()
        serializer = ParticipantAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        candidates = plan_services.participant_candidates(evaluation.person).filter(user_id=data["user"])
        if "organisation" in data:
            candidates = candidates.filter(unit__organisation_id=data["organisation"])
        membership = candidates.first()
        if membership is None:
            raise serializers.ValidationError(
                {"user": [_("This professional's organisation does not see the person's record.")]}
            )
        return self._write(
            evaluation,
            lambda: plan_services.participant_add(
                actor=request.user,
                evaluation=evaluation,
                version=data["version"],
                membership=membership,
                role=data["role"],
            ),
        )

    @extend_schema(
        parameters=[PARTICIPANT_ID, VERSION_PARAMETER],
        request=None,
        responses={
            200: EvaluationSerializer,
            400: DETAIL_WRITE_ERRORS[400],
            403: DETAIL_WRITE_ERRORS[403],
            404: DETAIL_WRITE_ERRORS[404],
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["delete"], url_path="participants/<str:participant_pk>")
    def participant(self, request, pk=None, participant_pk=None):
        """Remove a professional from the evaluation (it keeps at least one)."""
        evaluation = self.get_object()
        participant = None
        if str(participant_pk).isdigit():
            participant = evaluation.participants.filter(pk=participant_pk).first()
        if participant is None:
            raise NotFound
        version = _version_param(request)
        return self._write(
            evaluation,
            lambda: plan_services.participant_remove(
                actor=request.user, evaluation=evaluation, version=version, participant=participant
            ),
        )

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
        return self._answer(evaluation.pk)

    @extend_schema(request=None, responses={201: PlanSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """Draft the plan a complete evaluation proposes, prefilled with its proposed goals."""
        evaluation = self.get_object()
        try:
            plan = plan_services.plan_propose(actor=request.user, evaluation=evaluation)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        plan = selectors.plan_queryset().get(pk=plan.pk)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)
