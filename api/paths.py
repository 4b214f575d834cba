"""Job-inclusion paths in the API (issue 5): paths and their state machine, internship attendance with the
indemnity due, follow-up checks, programme events, the activity log with the 20% ceiling and the regional
activity-flow file, training groups (planning and sessions, enrolment, the session register, the evaluation
before and after, the end-of-group feedback report).

The same rules as the pages (paths/permissions.py, ADR 0012): restrict() decides who reaches a row, another
organisation's is a 404, writes go through paths/services.py (which audit them), reads of a person's paths,
events and enrolments are audited as `path.view`. A hospitalisation is read and recorded only by clinical roles
of an organisation treating the person; everyone else never sees it, not even as a count.
"""

import datetime
from decimal import Decimal

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from accounts.access import access_for
from accounts.choices import NON_CARE_KINDS, PERSON_WRITE_ROLES, OrganisationKind, Role, UnitKind
from accounts.models import Organisation
from api.base import RestrictedViewSet, audit_person_list
from api.cases import CaseManagerField, ReachablePersonField
from api.openapi import CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.persons import conflict_response
from audit.choices import Action
from audit.services import audit_log
from cases.models import Case
from core.exceptions import StaleObjectError
from core.querysets import CHANGE, VIEW
from opportunities.models import Proposal
from paths import flow, permissions, selectors, services
from paths.choices import (
    HIRING_KIND_CHOICES,
    ActivityKind,
    BeneficiaryCategory,
    EnrolmentStatus,
    EventKind,
    FollowUpOutcome,
    GroupStatus,
    InterruptionReason,
    JobEndReason,
    PathKind,
    PathStatus,
    Profession,
)
from paths.models import (
    Activity,
    Enrolment,
    FollowUp,
    GroupSession,
    MonthlyAttendance,
    Path,
    PathChange,
    ProgrammeEvent,
    TrainingGroup,
)
from people.models import Person

# ---------------------------------------------------------------------------------------------- fields


@extend_schema_field(OpenApiTypes.INT)
class ChangeablePersonField(serializers.PrimaryKeyRelatedField):
    """A person whose record the user may change: anybody else is an unknown id, whether the row exists or not."""

    def get_queryset(self):
        return Person.objects.restrict(self.context["request"].user, "change")


@extend_schema_field(OpenApiTypes.INT)
class ChangeablePathField(serializers.PrimaryKeyRelatedField):
    """A path of one of the user's organisations that the user may change."""

    def get_queryset(self):
        return Path.objects.restrict(self.context["request"].user, "change")


@extend_schema_field(OpenApiTypes.INT)
class ChangeableCaseField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Case.objects.restrict(self.context["request"].user, "change")


@extend_schema_field(OpenApiTypes.INT)
class ReachableProposalField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Proposal.objects.restrict(self.context["request"].user, "view").select_related("opportunity__employer")


@extend_schema_field(OpenApiTypes.INT)
class HostField(serializers.PrimaryKeyRelatedField):
    """The host organisation: any active organisation of the network but the health agency."""

    def get_queryset(self):
        return Organisation.objects.filter(is_active=True).exclude(kind=OrganisationKind.ATS)


def _decimal(max_digits, decimal_places, **kwargs):
    return serializers.DecimalField(max_digits, decimal_places, **kwargs)


def _stale(exc: StaleObjectError) -> Response:
    return conflict_response(exc)


# ---------------------------------------------------------------------------------------------- paths


class PathChangeSerializer(serializers.ModelSerializer):
    """One step of the path's history: a state change or an edit."""

    from_status = serializers.CharField(read_only=True, help_text="Empty for the creation.")
    to_status = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)

    class Meta:
        model = PathChange
        fields = ["id", "from_status", "to_status", "on", "reason", "note", "fields", "by", "at"]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    """A month of an internship's attendance and the indemnity due for it."""

    percent = serializers.IntegerField(read_only=True, help_text="Hours attended as a share of those planned.")

    class Meta:
        model = MonthlyAttendance
        fields = ["id", "path", "month", "planned_hours", "attended_hours", "percent", "indemnity_due", "note"]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    """A job-maintenance check of a hiring, due 1, 3, 6 or 12 months after it started."""

    person = serializers.IntegerField(source="path.person_id", read_only=True)
    person_name = serializers.CharField(source="path.person.full_name", read_only=True)
    host_name = serializers.CharField(source="path.host.name", read_only=True)
    outcome = serializers.CharField(read_only=True, help_text="Empty until the check is done.")
    overdue = serializers.SerializerMethodField(help_text="Not done and its date has passed.")

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "path",
            "person",
            "person_name",
            "host_name",
            "months",
            "due_on",
            "overdue",
            "done_on",
            "outcome",
            "note",
            "cancelled",
            "reminded_on",
        ]
        read_only_fields = fields

    def get_overdue(self, follow_up) -> bool:
        return follow_up.is_overdue(timezone.localdate())


class PathSummarySerializer(serializers.ModelSerializer):
    """A job-inclusion path, without its history (lists)."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    host_name = serializers.CharField(source="host.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    interruption_reason = serializers.CharField(read_only=True, help_text="Set when interrupted.")
    job_end_reason = serializers.CharField(read_only=True, help_text="Why a job ended.")
    days_per_week = serializers.IntegerField(read_only=True)

    class Meta:
        model = Path
        fields = [
            "id",
            "person",
            "person_name",
            "organisation",
            "organisation_name",
            "case",
            "host",
            "host_name",
            "opportunity",
            "proposal",
            "previous",
            "kind",
            "status",
            "title",
            "starts_on",
            "planned_end_on",
            "ended_on",
            "hours_per_week",
            "days_per_week",
            "host_tutor",
            "service_tutor",
            "beneficiary_category",
            "monthly_indemnity",
            "meal_vouchers",
            "interruption_reason",
            "job_end_reason",
            "outcome_note",
            "version",
        ]
        read_only_fields = fields


class PathSerializer(PathSummarySerializer):
    """A path with its history, its attendance and indemnity (internships) and its follow-up checks (jobs)."""

    changes = PathChangeSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)
    indemnity_total = serializers.SerializerMethodField(help_text="The indemnity due over the months entered.")
    follow_ups = serializers.SerializerMethodField()

    class Meta(PathSummarySerializer.Meta):
        fields = [*PathSummarySerializer.Meta.fields, "changes", "attendance", "indemnity_total", "follow_ups"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(9, 2))
    def get_indemnity_total(self, path) -> str:
        total = sum((row.indemnity_due for row in path.attendance.all()), start=0)
        return serializers.DecimalField(9, 2).to_representation(total)

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_follow_ups(self, path) -> list[dict]:
        return FollowUpSerializer(path.follow_ups.all(), many=True).data


class PathWriteSerializer(serializers.Serializer):
    """Fields of a path that can be given on creation and changed later."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    host = HostField(required=False)
    starts_on = serializers.DateField(required=False)
    planned_end_on = serializers.DateField(required=False, allow_null=True)
    hours_per_week = _decimal(4, 1, required=False, allow_null=True, min_value=Decimal("0.5"), max_value=Decimal("60"))
    days_per_week = serializers.IntegerField(required=False, min_value=1, max_value=7)
    host_tutor = serializers.CharField(max_length=120, required=False, allow_blank=True)
    service_tutor = CaseManagerField(required=False, allow_null=True, help_text="An operator of the organisation.")
    beneficiary_category = serializers.ChoiceField(choices=BeneficiaryCategory.choices, required=False)
    monthly_indemnity = _decimal(7, 2, required=False, allow_null=True, min_value=0, help_text="Internships only.")
    meal_vouchers = serializers.BooleanField(required=False)


class PathCreateSerializer(PathWriteSerializer):
    """Plan a path. From an accepted `proposal`, kind, host, opportunity, title, hours and dates are taken from
    it unless given; without one, `kind`, `host` and `starts_on` are required."""

    person = ChangeablePersonField()
    case = ChangeableCaseField(required=False, allow_null=True, help_text="The person's case it belongs to.")
    proposal = ReachableProposalField(required=False, allow_null=True, help_text="An accepted proposal.")
    kind = serializers.ChoiceField(choices=PathKind.choices, required=False)

    def validate(self, attrs):
        proposal = attrs.get("proposal")
        if proposal is not None:
            for name, value in services.path_defaults_from_proposal(proposal).items():
                if name in ("proposal", "opportunity") or attrs.get(name) is None:
                    attrs[name] = value
        missing = {
            name: [_("This field is required.")] for name in ("kind", "host", "starts_on") if not attrs.get(name)
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class PathUpdateSerializer(PathWriteSerializer):
    """Change some details of an open path (not its state), quoting the `version` read."""

    version = serializers.IntegerField(min_value=1, help_text="The version the change is based on.")


class TransitionSerializer(serializers.Serializer):
    """Move the path to another state; an interruption needs its coded reason (for a job: why it ended)."""

    to_status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in PathStatus if s != PathStatus.CONVERTED],
        help_text="To convert an internship to a hiring use `convert`.",
    )
    on = serializers.DateField(required=False, allow_null=True, help_text="Today when omitted.")
    reason = serializers.ChoiceField(
        choices=sorted(set(InterruptionReason.values) | set(JobEndReason.values)),
        required=False,
        allow_blank=True,
        help_text="An interruption reason; for a job also the reason it ended (resignation, dismissal, …).",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1)


class ConvertSerializer(serializers.Serializer):
    """An active internship becomes a hiring at the same host: the internship ends as converted, the hiring
    path opens, active, with its follow-up checks."""

    kind = serializers.ChoiceField(choices=HIRING_KIND_CHOICES)
    starts_on = serializers.DateField(help_text="The day the hiring starts (not in the future).")
    planned_end_on = serializers.DateField(required=False, allow_null=True, help_text="Fixed-term contracts.")
    hours_per_week = _decimal(4, 1, required=False, allow_null=True, min_value=Decimal("0.5"), max_value=Decimal("60"))
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1)


class AttendanceWriteSerializer(serializers.Serializer):
    """A month of attendance (entered again, it corrects the month)."""

    month = serializers.DateField(help_text="Any day of the month.")
    planned_hours = _decimal(5, 1, min_value=0)
    attended_hours = _decimal(5, 1, min_value=0)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PathFilter(django_filters.FilterSet):
    # Plain numbers: a hidden id must not answer differently from a missing one.
    person = django_filters.NumberFilter(field_name="person_id")
    organisation = django_filters.NumberFilter(field_name="organisation_id")
    host = django_filters.NumberFilter(field_name="host_id")

    class Meta:
        model = Path
        fields = ["person", "status", "kind", "organisation", "host"]


def _path_detail_queryset():
    return Path.objects.select_related("person", "host", "organisation").prefetch_related(
        "changes",
        "attendance",
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("path__person", "path__host")),
    )


@extend_schema_view(
    list=extend_schema(responses={200: PathSummarySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: PathSerializer, **READ_ERRORS}),
    create=extend_schema(request=PathCreateSerializer, responses={201: PathSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=PathUpdateSerializer, responses={200: PathSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT}
    ),
)
class PathViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RestrictedViewSet,
):
    """Job-inclusion paths of the user's organisations (filters: person, status, kind, organisation, host)."""

    model = Path
    serializer_class = PathSummarySerializer
    filterset_class = PathFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        if self.action == "list":
            return Path.objects.select_related("person", "host", "organisation").order_by("-starts_on", "-pk")
        return _path_detail_queryset()

    def get_serializer_class(self):
        return {
            "create": PathCreateSerializer,
            "partial_update": PathUpdateSerializer,
            "transition": TransitionSerializer,
            "convert": ConvertSerializer,
        }.get(self.action, PathSummarySerializer)

    def _detail(self, pk, *, status_code=status.HTTP_200_OK) -> Response:
        path = _path_detail_queryset().get(pk=pk)
        return Response(PathSerializer(path).data, status=status_code)

    def list(self, request, *args, **kwargs):
        """The paths the user reaches; a list of one person's paths (`person`) is audited as a read of them."""
        response = super().list(request, *args, **kwargs)
        audit_person_list(request, response, action=Action.PATH_VIEW, key="paths")
        return response

    def retrieve(self, request, *args, **kwargs):
        """A path with its history, attendance, indemnity and follow-up checks (audited)."""
        path = self.get_object()
        audit_log(actor=request.user, action=Action.PATH_VIEW, obj=path, person=path.person)
        return Response(PathSerializer(path).data)

    def create(self, request, *args, **kwargs):
        """Plan a path for a person the user's organisation treats, from an accepted proposal or not."""
        serializer = PathCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person, case = data.pop("person"), data.pop("case", None)
        path = services.path_create(actor=request.user, person=person, case=case, **data)
        return self._detail(path.pk, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change some details of an open path, quoting `version`; the internship rules are checked again."""
        path = self.get_object()
        serializer = PathUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        try:
            path = services.path_update(actor=request.user, path=path, version=version, **changes)
        except StaleObjectError as exc:
            return _stale(exc)
        return self._detail(path.pk)

    @extend_schema(request=TransitionSerializer, responses={200: PathSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the path along its states: planned → active | interrupted; active → suspended | completed |
        interrupted; suspended → active | interrupted. Any other move is a 400 saying why."""
        path = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            path = services.path_transition(actor=request.user, path=path, **serializer.validated_data)
        except StaleObjectError as exc:
            return _stale(exc)
        return self._detail(path.pk)

    @extend_schema(request=ConvertSerializer, responses={201: PathSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Convert an active internship to a hiring; the answer is the new hiring path."""
        path = self.get_object()
        serializer = ConvertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hiring = services.path_convert_to_hiring(actor=request.user, path=path, **serializer.validated_data)
        except StaleObjectError as exc:
            return _stale(exc)
        return self._detail(hiring.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: AttendanceSerializer(many=True), **READ_ERRORS})
    @extend_schema(
        methods=["POST"],
        request=AttendanceWriteSerializer,
        responses={201: AttendanceSerializer, **DETAIL_WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def attendance(self, request, pk=None):
        """GET: the internship's months of attendance with the indemnity due (audited). POST: enter a month; the
        answer carries the indemnity due, computed with the rules in force that month."""
        path = self.get_object()
        if request.method == "GET":
            audit_log(
                actor=request.user, action=Action.PATH_VIEW, obj=path, person=path.person, detail={"part": "attendance"}
            )
            return Response(AttendanceSerializer(path.attendance.all(), many=True).data)
        serializer = AttendanceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.attendance_record(actor=request.user, path=path, **serializer.validated_data)
        return Response(AttendanceSerializer(row).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------- follow-ups


class FollowUpRecordSerializer(serializers.Serializer):
    """The outcome of a check (today when `done_on` is omitted)."""

    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices)
    done_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


WHEN = OpenApiParameter(
    "when",
    str,
    enum=["overdue", "due", "all"],
    description="`overdue`: date passed; `due`: date reached (today included); `all` (default): every check not done.",
)
TEAM = OpenApiParameter("team", bool, description="A coordinator's whole team instead of the user's own caseload.")


@extend_schema_view(
    list=extend_schema(parameters=[WHEN, TEAM], responses={200: FollowUpSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: FollowUpSerializer, **READ_ERRORS}),
)
class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Job-maintenance checks: the agenda of the user's caseload (the paths they tutor or whose case they manage)."""

    model = FollowUp
    serializer_class = FollowUpSerializer

    def base_queryset(self):
        return FollowUp.objects.select_related("path__person", "path__host")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        if self.action != "list":
            return super().get_queryset()
        user, today = self.request.user, timezone.localdate()
        team = self.request.query_params.get("team", "").lower() in ("1", "true")
        queryset = selectors.follow_up_agenda(user, today=today, whole_team=team)
        when = self.request.query_params.get("when", "all")
        if when == "overdue":
            queryset = queryset.filter(due_on__lt=today)
        elif when == "due":
            queryset = queryset.filter(due_on__lte=today)
        return queryset

    def retrieve(self, request, *args, **kwargs):
        """One check (audited as a read of the person's path)."""
        follow_up = self.get_object()
        audit_log(actor=request.user, action=Action.PATH_VIEW, obj=follow_up.path, person=follow_up.path.person)
        return Response(FollowUpSerializer(follow_up).data)

    @extend_schema(request=FollowUpRecordSerializer, responses={200: FollowUpSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the check and its outcome."""
        follow_up = self.get_object()
        serializer = FollowUpRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = services.follow_up_record(actor=request.user, follow_up=follow_up, **serializer.validated_data)
        return Response(FollowUpSerializer(self.base_queryset().get(pk=follow_up.pk)).data)


# ---------------------------------------------------------------------------------------------- events


class EventSerializer(serializers.ModelSerializer):
    """A programme event: a hospitalisation for psychic decompensation (clinical readers only) or a drop-out."""

    class Meta:
        model = ProgrammeEvent
        fields = ["id", "person", "organisation", "path", "case", "kind", "occurred_on", "ended_on", "note"]
        read_only_fields = fields


class EventCreateSerializer(serializers.Serializer):
    """Record an event. A hospitalisation: a clinical role of an organisation treating the person (else 403).
    A drop-out: the treating team; it closes the organisation's open cases of the person and interrupts its paths."""

    person = ReachablePersonField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_on = serializers.DateField(help_text="The date; the admission for a hospitalisation.")
    ended_on = serializers.DateField(required=False, allow_null=True, help_text="The discharge (hospitalisations).")
    path = ChangeablePathField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DischargeSerializer(serializers.Serializer):
    ended_on = serializers.DateField()


class EventFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter(field_name="person_id")
    path = django_filters.NumberFilter(field_name="path_id")

    class Meta:
        model = ProgrammeEvent
        fields = ["person", "path", "kind"]


@extend_schema_view(
    list=extend_schema(responses={200: EventSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: EventSerializer, **READ_ERRORS}),
    create=extend_schema(request=EventCreateSerializer, responses={201: EventSerializer, **WRITE_ERRORS}),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """Programme events the user may see (filters: person, path, kind); hospitalisations only for clinicians of
    an organisation treating the person."""

    model = ProgrammeEvent
    serializer_class = EventSerializer
    filterset_class = EventFilter

    def base_queryset(self):
        return ProgrammeEvent.objects.order_by("-occurred_on", "-pk")

    def get_serializer_class(self):
        return {"create": EventCreateSerializer, "discharge": DischargeSerializer}.get(self.action, EventSerializer)

    def list(self, request, *args, **kwargs):
        """The events; a list of one person's events (`person`) is audited as a read of them."""
        response = super().list(request, *args, **kwargs)
        audit_person_list(request, response, action=Action.PATH_VIEW, key="events")
        return response

    def retrieve(self, request, *args, **kwargs):
        """One event (audited)."""
        event = self.get_object()
        audit_log(actor=request.user, action=Action.PATH_VIEW, obj=event, person=event.person)
        return Response(EventSerializer(event).data)

    def create(self, request, *args, **kwargs):
        serializer = EventCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        event = services.event_record(actor=request.user, **serializer.validated_data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DischargeSerializer, responses={200: EventSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def discharge(self, request, pk=None):
        """Record the discharge of a hospitalisation."""
        event = self.get_object()
        serializer = DischargeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.event_discharge(actor=request.user, event=event, **serializer.validated_data)
        return Response(EventSerializer(event).data)


# ---------------------------------------------------------------------------------------------- activities


class CeilingSerializer(serializers.Serializer):
    """The share of activities not attributable to a single patient against the 20% ceiling."""

    start = serializers.DateField()
    end = serializers.DateField()
    programme_code = serializers.CharField()
    total = serializers.IntegerField()
    non_attributable = serializers.IntegerField()
    percent = serializers.DecimalField(4, 1, help_text="The non-attributable share, in percent.")
    ceiling_percent = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=[("ok", "ok"), ("near", "near"), ("over", "over")],
        help_text="`ok` under 18%, `near` from 18% up to the ceiling, `over` above it.",
    )
    room = serializers.IntegerField(help_text="How many more non-attributable activities fit under the ceiling.")
    attributable_needed = serializers.IntegerField(
        help_text="How many attributable activities would bring an over-ceiling period back under it."
    )


def _ceiling(*, organisation_ids, programme_code, start, end) -> dict:
    gauge = selectors.ceiling_status(
        organisation_ids=organisation_ids, programme_code=programme_code, start=start, end=end
    )
    return CeilingSerializer(
        {
            "start": start,
            "end": end,
            "programme_code": programme_code,
            "total": gauge.total,
            "non_attributable": gauge.non_attributable,
            "percent": gauge.percent,
            "ceiling_percent": gauge.ceiling_percent,
            "state": gauge.state,
            "room": gauge.room,
            "attributable_needed": gauge.attributable_needed,
        }
    ).data


class ActivitySerializer(serializers.ModelSerializer):
    """An operator activity (prestazione); `person` null: not attributable to a single patient."""

    attributable = serializers.BooleanField(source="is_attributable", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "organisation",
            "operator",
            "profession",
            "programme_code",
            "performed_on",
            "minutes",
            "kind",
            "person",
            "path",
            "attributable",
            "note",
        ]
        read_only_fields = fields


class ActivityRecordedSerializer(ActivitySerializer):
    """The activity recorded, with the year's gauge of its organisation and programme."""

    ceiling = serializers.SerializerMethodField()

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "ceiling"]
        read_only_fields = fields

    @extend_schema_field(CeilingSerializer)
    def get_ceiling(self, activity) -> dict:
        year = activity.performed_on.year
        return _ceiling(
            organisation_ids=[activity.organisation_id],
            programme_code=activity.programme_code,
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
        )


class ActivityCreateSerializer(serializers.Serializer):
    """Record an activity. A non-attributable one that would take the year's share above 20% is refused with a
    400 on `accept_over_ceiling` until it is sent again with `accept_over_ceiling: true`."""

    performed_on = serializers.DateField()
    minutes = serializers.IntegerField(min_value=5, max_value=600)
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    person = ChangeablePersonField(required=False, allow_null=True, help_text="Omit or null: not attributable.")
    path = ChangeablePathField(required=False, allow_null=True)
    profession = serializers.ChoiceField(
        choices=Profession.choices, required=False, help_text="The operator's; from their account when omitted."
    )
    programme_code = serializers.RegexField(
        r"^[A-Za-z0-9]+$", max_length=20, required=False, help_text="TR106 by default."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    accept_over_ceiling = serializers.BooleanField(
        required=False, default=False, help_text="Record it even though it takes the share above the ceiling."
    )


class ActivityFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(field_name="performed_on", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="performed_on", lookup_expr="lte")
    person = django_filters.NumberFilter(field_name="person_id")
    operator = django_filters.NumberFilter(field_name="operator_id")
    attributable = django_filters.BooleanFilter(field_name="person", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Activity
        fields = ["start", "end", "programme_code", "kind", "person", "operator", "attributable"]


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    programme_code = serializers.CharField(max_length=20, required=False)


def _period(query_params) -> tuple[datetime.date, datetime.date, str]:
    """The period asked for: the current calendar year (the programme's period) and TR106 by default."""
    period = PeriodSerializer(data=query_params)
    period.is_valid(raise_exception=True)
    year = timezone.localdate().year
    start = period.validated_data.get("start") or datetime.date(year, 1, 1)
    end = period.validated_data.get("end") or datetime.date(start.year, 12, 31)
    if end < start:
        raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
    return start, end, (period.validated_data.get("programme_code") or "TR106").strip().upper()


class FirstRendererNegotiation(BaseContentNegotiation):
    """The file endpoint answers the file whatever `Accept` says (a client asking for text/csv gets it rather than
    a 406); its errors are JSON, the first renderer's."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FLOW_FILE = OpenApiResponse(
    OpenApiTypes.BINARY,
    description="The regional activity-flow file: CSV separated by `;`, one header line, CRLF line ends, UTF-8.",
)


@extend_schema_view(
    list=extend_schema(responses={200: ActivitySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ActivitySerializer, **READ_ERRORS}),
    create=extend_schema(request=ActivityCreateSerializer, responses={201: ActivityRecordedSerializer, **WRITE_ERRORS}),
)
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """The activity log of the user's organisations (filters: start, end, programme_code, kind, person, operator,
    attributable)."""

    model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    def base_queryset(self):
        return Activity.objects.order_by("-performed_on", "-pk")

    def get_serializer_class(self):
        return {"create": ActivityCreateSerializer}.get(self.action, ActivitySerializer)

    def create(self, request, *args, **kwargs):
        """Record an activity; the answer carries the year's gauge (`ceiling`)."""
        serializer = ActivityCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            activity = services.activity_record(actor=request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            if getattr(error, "code", None) == services.OVER_CEILING:
                raise serializers.ValidationError(
                    {"accept_over_ceiling": error.messages}, code="over_ceiling"
                ) from error
            raise
        return Response(ActivityRecordedSerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[PeriodSerializer],
        responses={200: CeilingSerializer, 400: LIST_ERRORS[400], 403: LIST_ERRORS[403]},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def ceiling(self, request):
        """The 20% gauge of a period (the current year by default) for the user's organisations."""
        if not permissions.can_view_activity_report(request.user):
            return Response(
                {"detail": _("Your role may not see the activity report.")}, status=status.HTTP_403_FORBIDDEN
            )
        start, end, code = _period(request.query_params)
        audit_log(
            actor=request.user,
            action=Action.AGGREGATE_VIEW,
            detail={"api": "activity_ceiling", "from": str(start), "to": str(end), "programme": code},
        )
        orgs = access_for(request.user).person_org_ids
        return Response(_ceiling(organisation_ids=orgs, programme_code=code, start=start, end=end))

    @extend_schema(
        parameters=[PeriodSerializer],
        responses={(200, "text/csv"): FLOW_FILE, 400: LIST_ERRORS[400], 403: LIST_ERRORS[403]},
    )
    @action(
        detail=False,
        methods=["get"],
        filterset_class=None,
        pagination_class=None,
        content_negotiation_class=FirstRendererNegotiation,
    )
    def export(self, request):
        """The period's activities of the coordinator's organisations as the regional activity-flow file (the
        page's file). Every row is checked against the layout first: a row at fault is a 400 listing the lines
        and columns, and no file. Coordinators only; audited `data.export`."""
        user = request.user
        if not permissions.can_export_activities(user):
            return Response({"detail": _("Coordinators export the activity file.")}, status=status.HTTP_403_FORBIDDEN)
        start, end, code = _period(request.query_params)
        coordinated = access_for(user).org_ids({Role.COORDINATOR})
        rows = list(
            selectors.activities_for_period(user, start=start, end=end, programme_code=code).filter(
                organisation_id__in=coordinated
            )
        )
        text = flow.write_file(rows)  # a ValidationError listing the rows at fault is the 400
        audit_log(
            actor=user,
            action=Action.EXPORT,
            detail={
                "what": "activity_flow",
                "from": str(start),
                "to": str(end),
                "programme": code,
                "rows": len(rows),
                "api": True,
            },
        )
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="attivita-{code}-{start}-{end}.csv"'
        return response


# ---------------------------------------------------------------------------------------------- groups


class SessionSerializer(serializers.ModelSerializer):
    """One meeting of a group, with its date and times."""

    class Meta:
        model = GroupSession
        fields = ["id", "group", "starts_at", "ends_at", "subject"]
        read_only_fields = fields


class GroupSerializer(serializers.ModelSerializer):
    """A training or information group of the year's catalogue, with its sessions and how full it is."""

    sessions = SessionSerializer(many=True, read_only=True)
    enrolled = serializers.IntegerField(read_only=True, help_text="Places taken.")
    waiting = serializers.IntegerField(read_only=True, help_text="Persons on the waiting list.")
    capacity = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    calendar = serializers.SerializerMethodField(
        help_text="The group's sessions as an iCalendar (.ics) file: the page's link, for a signed-in browser."
    )

    class Meta:
        model = TrainingGroup
        fields = [
            "id",
            "year",
            "title",
            "topic",
            "target",
            "organisation",
            "partner_organisation",
            "conductor",
            "co_conductor",
            "place",
            "capacity",
            "status",
            "enrolled",
            "waiting",
            "sessions",
            "calendar",
        ]
        read_only_fields = fields

    def get_calendar(self, group) -> str:
        url = reverse("paths:group_calendar", args=[group.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


@extend_schema_field(OpenApiTypes.INT)
class PartnerOrganisationField(serializers.PrimaryKeyRelatedField):
    """An organisation of the network's care services with a Polo Lavoro (as on the group form)."""

    def get_queryset(self):
        return (
            Organisation.objects.filter(is_active=True, units__kind=UnitKind.POLO_LAVORO)
            .exclude(kind__in=NON_CARE_KINDS)
            .distinct()
        )


@extend_schema_field(OpenApiTypes.INT)
class ConductorField(serializers.PrimaryKeyRelatedField):
    """An active user with a writing role; the service checks the organisation they conduct for."""

    def get_queryset(self):
        return (
            get_user_model()
            .objects.filter(is_active=True, memberships__is_active=True, memberships__role__in=PERSON_WRITE_ROLES)
            .distinct()
        )


class GroupCreateSerializer(serializers.Serializer):
    """Plan a group of the year's catalogue, conducted by the user's organisation (the programme team) with a
    Polo Lavoro of another organisation: `conductor` is an operator of the user's organisation, `co_conductor`
    one of `partner_organisation`."""

    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    topic = serializers.CharField(max_length=5000)
    target = serializers.CharField(max_length=300, help_text="For whom the group is.")
    partner_organisation = PartnerOrganisationField(help_text="The Polo Lavoro's organisation.")
    conductor = ConductorField(help_text="The programme team's conductor (the user's organisation).")
    co_conductor = ConductorField(help_text="The Polo Lavoro's conductor (the partner organisation).")
    place = serializers.CharField(max_length=200)
    capacity = serializers.IntegerField(min_value=1, max_value=60)


class GroupUpdateSerializer(serializers.Serializer):
    """Change some details of a group, or its status (planned, open for enrolment, running, closed). Its year and
    its two organisations do not change."""

    title = serializers.CharField(max_length=200, required=False)
    topic = serializers.CharField(max_length=5000, required=False)
    target = serializers.CharField(max_length=300, required=False)
    place = serializers.CharField(max_length=200, required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=60, required=False, help_text="Not below the enrolled.")
    conductor = ConductorField(required=False)
    co_conductor = ConductorField(required=False)
    status = serializers.ChoiceField(choices=GroupStatus.choices, required=False)


class SessionWriteSerializer(serializers.Serializer):
    """A session's date and times (it ends after it starts, within the group's year)."""

    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SessionUpdateSerializer(serializers.Serializer):
    """Move a session or change its subject (what is omitted stays)."""

    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EnrolmentSerializer(serializers.ModelSerializer):
    """A person enrolled in a group, or waiting for a place (`position` on the waiting list)."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    position = serializers.SerializerMethodField(help_text="Place on the waiting list (1 is next); null if enrolled.")
    score_before = serializers.IntegerField(read_only=True, allow_null=True)
    score_after = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "group",
            "person",
            "person_name",
            "referring_unit",
            "referring_organisation",
            "status",
            "position",
            "score_before",
            "score_after",
            "created_at",
        ]
        read_only_fields = fields

    def get_position(self, enrolment) -> int | None:
        if enrolment.status != EnrolmentStatus.WAITING:
            return None
        positions = self.context.get("positions")
        if positions is not None:
            return positions.get(enrolment.pk)
        ahead = Enrolment.objects.filter(group_id=enrolment.group_id, status=EnrolmentStatus.WAITING).filter(
            Q(created_at__lt=enrolment.created_at) | Q(created_at=enrolment.created_at, pk__lt=enrolment.pk)
        )
        return ahead.count() + 1


@extend_schema_field(OpenApiTypes.INT)
class EnrollingUnitField(serializers.PrimaryKeyRelatedField):
    """A Polo Lavoro team the user enrols from (a write role there)."""

    def get_queryset(self):
        return permissions.enrolling_units(self.context["request"].user)


class EnrolSerializer(serializers.Serializer):
    """Enrol a person from the user's Polo Lavoro; past capacity they go on the waiting list."""

    person = ChangeablePersonField()
    referring_unit = EnrollingUnitField()


class RegisterEntrySerializer(serializers.Serializer):
    """One enrolled participant on a session's register."""

    enrolment = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.full_name")
    referring_unit = serializers.IntegerField(source="referring_unit_id")
    present = serializers.BooleanField(allow_null=True, help_text="Null until the register of the session is kept.")


class RegisterSerializer(serializers.Serializer):
    """A session's register: every enrolled participant and whether they were present."""

    session = serializers.IntegerField(source="session.pk")
    group = serializers.IntegerField(source="session.group_id")
    starts_at = serializers.DateTimeField(source="session.starts_at")
    ends_at = serializers.DateTimeField(source="session.ends_at")
    participants = RegisterEntrySerializer(many=True)


class RegisterWriteSerializer(serializers.Serializer):
    """Keep the register: the enrolments present; every other enrolled participant is recorded absent."""

    present = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=True,
        max_length=200,
        help_text="Ids of the enrolments (of enrolled participants of the group) present at the session.",
    )


class EvaluationSerializer(serializers.Serializer):
    """The conductors' evaluation of a participant: a 1–5 rating before and after, and their notes. What is
    omitted stays; null clears a rating."""

    score_before = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    score_after = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    conductors_note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class FeedbackSerializer(serializers.Serializer):
    """The end-of-group report on one participant, as the referring team reads it: attendance over the sessions,
    the evaluation before and after with its change, the conductors' notes."""

    enrolment = serializers.IntegerField(source="enrolment.pk")
    group = serializers.IntegerField(source="enrolment.group_id")
    group_title = serializers.CharField(source="enrolment.group.title")
    person = serializers.IntegerField(source="enrolment.person_id")
    person_name = serializers.CharField(source="enrolment.person.full_name")
    referring_unit = serializers.IntegerField(source="enrolment.referring_unit_id")
    referring_unit_name = serializers.CharField(source="enrolment.referring_unit.name")
    status = serializers.ChoiceField(source="enrolment.status", choices=EnrolmentStatus.choices)
    sessions = serializers.IntegerField(help_text="The group's sessions.")
    attended = serializers.IntegerField(help_text="Sessions the participant attended.")
    absent = serializers.IntegerField(help_text="Sessions the participant was recorded absent.")
    attendance_percent = serializers.IntegerField(help_text="Attended out of the group's sessions, in percent.")
    score_before = serializers.IntegerField(source="enrolment.score_before", allow_null=True)
    score_after = serializers.IntegerField(source="enrolment.score_after", allow_null=True)
    change = serializers.IntegerField(allow_null=True, help_text="After minus before, when both are recorded.")
    conductors_note = serializers.CharField(source="enrolment.conductors_note")
    conductors = serializers.SerializerMethodField(help_text="The two conductors' names.")

    def get_conductors(self, report) -> list[str]:
        group = report.enrolment.group
        return [str(group.conductor), str(group.co_conductor)]


class GroupFilter(django_filters.FilterSet):
    class Meta:
        model = TrainingGroup
        fields = ["year", "status"]


def _group_queryset():
    return (
        TrainingGroup.objects.annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED), distinct=True),
            waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING), distinct=True),
        )
        .prefetch_related("sessions")
        .order_by("-year", "title", "pk")
    )


@extend_schema_view(
    list=extend_schema(responses={200: GroupSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: GroupSerializer, **READ_ERRORS}),
    create=extend_schema(request=GroupCreateSerializer, responses={201: GroupSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=GroupUpdateSerializer, responses={200: GroupSerializer, **DETAIL_WRITE_ERRORS}
    ),
)
class GroupViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RestrictedViewSet,
):
    """The network's catalogue of training and information groups (filters: year, status)."""

    model = TrainingGroup
    serializer_class = GroupSerializer
    filterset_class = GroupFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return _group_queryset()

    def restrict_action(self) -> str:
        # The two conducting organisations change a group and its sessions; enrolling is for the referring Polo
        # Lavoro (the service checks it), which reads the catalogue like everyone else.
        return CHANGE if self.action in ("partial_update", "sessions") else VIEW

    def get_serializer_class(self):
        return {
            "enrol": EnrolSerializer,
            "create": GroupCreateSerializer,
            "partial_update": GroupUpdateSerializer,
            "sessions": SessionWriteSerializer,
        }.get(self.action, GroupSerializer)

    def _detail(self, pk, *, status_code=status.HTTP_200_OK) -> Response:
        group = _group_queryset().get(pk=pk)
        return Response(GroupSerializer(group, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request, *args, **kwargs):
        """Plan a group (coordinators), with the two conductors from two organisations; sessions are added after."""
        if not permissions.can_plan_group(request.user):
            return Response({"detail": _("Coordinators plan the groups.")}, status=status.HTTP_403_FORBIDDEN)
        serializer = GroupCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        group = services.group_create(actor=request.user, **serializer.validated_data)
        return self._detail(group.pk, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change some details of a group or its status (the two conducting organisations)."""
        group = self.get_object()
        serializer = GroupUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        new_status = changes.pop("status", None)
        with transaction.atomic():
            group = services.group_update(actor=request.user, group=group, **changes)
            if new_status is not None and new_status != group.status:
                services.group_set_status(actor=request.user, group=group, status=new_status)
        return self._detail(group.pk)

    @extend_schema(request=SessionWriteSerializer, responses={201: SessionSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        """Add a session to the group's calendar (the two conducting organisations)."""
        group = self.get_object()
        serializer = SessionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_add(actor=request.user, group=group, **serializer.validated_data)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: EnrolmentSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def participants(self, request, pk=None):
        """The participants the user's organisation referred or conducts: enrolled first, then the waiting list
        in order (each read audited on the person)."""
        group = self.get_object()
        rows = sorted(  # enrolled first, then the waiting list in its order
            selectors.group_participants(request.user, group),
            key=lambda row: (row.status != EnrolmentStatus.ENROLLED, row.created_at, row.pk),
        )
        waiting = Enrolment.objects.filter(group=group, status=EnrolmentStatus.WAITING).order_by("created_at", "pk")
        positions = {row_pk: n for n, row_pk in enumerate(waiting.values_list("pk", flat=True), start=1)}
        for row in rows:
            audit_log(
                actor=request.user, action=Action.PATH_VIEW, obj=row, person=row.person, detail={"group": group.pk}
            )
        return Response(EnrolmentSerializer(rows, many=True, context={"positions": positions}).data)

    @extend_schema(request=EnrolSerializer, responses={201: EnrolmentSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        """Enrol a person from the user's Polo Lavoro; `status` says `enrolled` or `waiting`."""
        group = self.get_object()
        serializer = EnrolSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        enrolment = services.enrol(actor=request.user, group=group, **serializer.validated_data)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(responses={200: SessionSerializer, **READ_ERRORS}),
    partial_update=extend_schema(
        request=SessionUpdateSerializer, responses={200: SessionSerializer, **DETAIL_WRITE_ERRORS}
    ),
)
class GroupSessionViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, RestrictedViewSet):
    """Sessions of the groups: read with the catalogue, changed and registered by the two conducting teams."""

    model = GroupSession
    serializer_class = SessionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return GroupSession.objects.select_related("group")

    def restrict_action(self) -> str:
        # The register is the conducting teams' (as on its page), for reading too.
        if self.action == "register":
            return CHANGE
        return super().restrict_action()

    def get_serializer_class(self):
        return {"partial_update": SessionUpdateSerializer, "register": RegisterWriteSerializer}.get(
            self.action, SessionSerializer
        )

    def partial_update(self, request, *args, **kwargs):
        """Move a session or change its subject."""
        session = self.get_object()
        serializer = SessionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {"starts_at": session.starts_at, "ends_at": session.ends_at, "subject": session.subject}
        data.update(serializer.validated_data)
        session = services.session_update(actor=request.user, session=session, **data)
        return Response(SessionSerializer(session).data)

    def _register(self, session) -> dict:
        enrolled = list(
            Enrolment.objects.restrict(self.request.user, "view")
            .filter(group=session.group, status=EnrolmentStatus.ENROLLED)
            .select_related("person")
            .order_by("created_at", "pk")
        )
        marks = dict(session.register.values_list("enrolment_id", "present"))
        for enrolment in enrolled:
            enrolment.present = marks.get(enrolment.pk)
        return RegisterSerializer({"session": session, "participants": enrolled}).data

    @extend_schema(methods=["GET"], responses={200: RegisterSerializer, **READ_ERRORS})
    @extend_schema(
        methods=["POST"], request=RegisterWriteSerializer, responses={200: RegisterSerializer, **DETAIL_WRITE_ERRORS}
    )
    @action(detail=True, methods=["get", "post"])
    def register(self, request, pk=None):
        """GET: the session's register, each enrolled participant present, absent or not recorded yet (each read
        audited on the person). POST: keep it with the enrolments present; the others are recorded absent."""
        session = self.get_object()
        if request.method == "POST":
            serializer = RegisterWriteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            present = set(serializer.validated_data["present"])
            enrolled = set(
                session.group.enrolments.filter(status=EnrolmentStatus.ENROLLED).values_list("pk", flat=True)
            )
            strangers = sorted(present - enrolled)
            if strangers:
                raise serializers.ValidationError(
                    {
                        "present": [
                            _("Not enrolled participants of this group: %(ids)s.")
                            % {"ids": ", ".join(str(pk) for pk in strangers)}
                        ]
                    }
                )
            services.register_record(actor=request.user, session=session, present=present)
            return Response(self._register(session))
        data = self._register(session)
        for row in data["participants"]:
            audit_log(
                actor=request.user,
                action=Action.PATH_VIEW,
                person=row["person"],
                detail={"register": session.pk, "enrolment": row["enrolment"]},
            )
        return Response(data)


def _feedback(enrolment) -> dict:
    return FeedbackSerializer(selectors.feedback_report(enrolment)).data


@extend_schema_view(retrieve=extend_schema(responses={200: EnrolmentSerializer, **READ_ERRORS}))
class EnrolmentViewSet(mixins.RetrieveModelMixin, RestrictedViewSet):
    """Enrolments, read by the referring and the two conducting organisations."""

    model = Enrolment
    serializer_class = EnrolmentSerializer

    def base_queryset(self):
        return Enrolment.objects.select_related("person", "referring_unit", "group__conductor", "group__co_conductor")

    def get_serializer_class(self):
        return {"evaluation": EvaluationSerializer}.get(self.action, EnrolmentSerializer)

    def retrieve(self, request, *args, **kwargs):
        """One enrolment (audited)."""
        enrolment = self.get_object()
        audit_log(actor=request.user, action=Action.PATH_VIEW, obj=enrolment, person=enrolment.person)
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(request=None, responses={200: EnrolmentSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a participant; the first on the waiting list takes the place."""
        enrolment = self.get_object()
        services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
        return Response(EnrolmentSerializer(self.base_queryset().get(pk=enrolment.pk)).data)

    @extend_schema(responses={200: FeedbackSerializer, **READ_ERRORS})
    @action(detail=True, methods=["get"])
    def feedback(self, request, pk=None):
        """The end-of-group report on the participant, read by the referring team and the conductors (audited)."""
        enrolment = self.get_object()
        audit_log(
            actor=request.user,
            action=Action.PATH_VIEW,
            obj=enrolment,
            person=enrolment.person,
            detail={"feedback": True},
        )
        return Response(_feedback(enrolment))

    @extend_schema(request=EvaluationSerializer, responses={200: FeedbackSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def evaluation(self, request, pk=None):
        """Record the evaluation before and after and the conductors' notes (the conductors' organisations only:
        the referring team reads the report, 403 on a write). The answer is the feedback report."""
        enrolment = self.get_object()
        if not permissions.can_change_group(request.user, enrolment.group):
            return Response(
                {"detail": _("Only the conductors of the group evaluate its participants.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        serializer = EvaluationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {
            "score_before": enrolment.score_before,
            "score_after": enrolment.score_after,
            "conductors_note": enrolment.conductors_note,
        }
        values.update(serializer.validated_data)
        enrolment = services.evaluation_record(actor=request.user, enrolment=enrolment, **values)
        return Response(_feedback(self.base_queryset().get(pk=enrolment.pk)))
