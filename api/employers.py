"""Employers and employer relations in the API: profiles with their Law 68/1999 quota, and the contact log.

Employer profiles hold no person data (ADR 0009): the same restrict() as the pages decides who reaches them, so the
network's scouting staff read and change every employer and a company referent reads and changes their own; anyone
else gets an empty list and a 404 on a detail. Adding an employer is for scouting staff. The contact log (the
operators' notes on the relation with the company) is read and written by scouting staff only. Every write goes
through opportunities/services.py, which checks the right again and writes the audit event.
"""

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import access_for
from accounts.models import Organisation
from api.base import RestrictedViewSet
from api.openapi import CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.persons import conflict_response
from core.exceptions import StaleObjectError
from opportunities import permissions as policy
from opportunities import selectors, services
from opportunities.choices import EMPLOYER_KIND_CHOICES, EMPLOYER_KINDS, ContactChannel, ContactOutcome, SocialCoopType
from opportunities.models import EmployerContact, EmployerProfile
from people.choices import Municipio

# ---------------------------------------------------------------------------------------------- permissions


class WritesByPolicy(permissions.BasePermission):
    """Reads for any signed-in user (restrict() decides what they see); writes for the roles the viewset names.

    The viewset's `may_write(user)` is the policy of its app (opportunities.permissions). Checked before any row
    is fetched, so the 403 says nothing about whether a row exists; the services check each row again.
    """

    message = _("Your role may not change these records.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(view.may_write(request.user))


class PolicyViewSet(RestrictedViewSet):
    """A RestrictedViewSet whose writes are allowed by `may_write()` rather than by a person-level write role."""

    permission_classes = [permissions.IsAuthenticated, WritesByPolicy]

    def may_write(self, user) -> bool:
        return bool(access_for(user).write_org_ids)


# ---------------------------------------------------------------------------------------------- employers


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


# Declared, not derived from the model: DRF would add the database backend's integer range to derived integer
# fields, and openapi.yaml would differ between SQLite and PostgreSQL.
class EmployerProfileWriteSerializer(serializers.Serializer):
    """The profile's fields a scout or the company's referent may write (the quota follows from them)."""

    social_coop_type = serializers.ChoiceField(
        choices=SocialCoopType.choices, allow_blank=True, required=False, help_text="Social cooperatives only."
    )
    ateco_division = serializers.CharField(
        max_length=2, allow_blank=True, required=False, help_text="ATECO 2007 division (two digits)."
    )
    employees = serializers.IntegerField(min_value=0, max_value=1_000_000, help_text="Headcount of employees.")
    computable_employees = serializers.IntegerField(
        min_value=0,
        max_value=1_000_000,
        allow_null=True,
        required=False,
        help_text="The base of the quota (Law 68/1999 art. 4); null: the headcount is used as an estimate.",
    )
    law68_covered = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    comune = serializers.CharField(max_length=120, allow_blank=True, required=False)
    municipio = serializers.ChoiceField(choices=Municipio.choices, allow_null=True, required=False)
    address = serializers.CharField(max_length=200, allow_blank=True, required=False)
    contact_name = serializers.CharField(max_length=120, allow_blank=True, required=False)
    contact_role = serializers.CharField(max_length=120, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False)
    email = serializers.EmailField(allow_blank=True, required=False)
    website = serializers.URLField(max_length=200, allow_blank=True, required=False)
    needs = serializers.CharField(max_length=5000, allow_blank=True, required=False)


class EmployerCreateSerializer(EmployerProfileWriteSerializer):
    """A new employer: an organisation of the network (`organisation`), or a new one (`name` and `kind`)."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind__in=EMPLOYER_KINDS, is_active=True),
        required=False,
        help_text="An organisation of the network without a profile yet; omit it to add a new one.",
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="For a new organisation.")
    kind = serializers.ChoiceField(choices=EMPLOYER_KIND_CHOICES, required=False, help_text="For a new organisation.")


class EmployerUpdateSerializer(EmployerProfileWriteSerializer):
    """Change some fields of a profile, quoting the `version` read."""

    version = serializers.IntegerField(min_value=1, help_text="The version the change is based on.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employees"].required = False


class EmployerFilter(django_filters.FilterSet):
    open_quota = django_filters.BooleanFilter(method="filter_open_quota", label="Employers with places to fill.")

    class Meta:
        model = EmployerProfile
        fields = ["ateco_section", "municipio", "open_quota"]

    def filter_open_quota(self, queryset, name, value):
        return queryset.filter(law68_open__gt=0) if value else queryset.filter(law68_open=0)


class ContactSerializer(serializers.ModelSerializer):
    """One contact of an operator with an employer: what was discussed, the outcome and the next step."""

    employer_name = serializers.CharField(source="employer.organisation.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    operator_name = serializers.SerializerMethodField()
    next_step_on = serializers.DateField(read_only=True, allow_null=True)
    next_step_done_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = EmployerContact
        fields = [
            "id",
            "employer",
            "employer_name",
            "organisation",
            "organisation_name",
            "operator",
            "operator_name",
            "contacted_on",
            "channel",
            "discussed",
            "outcome",
            "next_step",
            "next_step_on",
            "next_step_done_on",
            "created_at",
        ]
        read_only_fields = fields

    def get_operator_name(self, contact) -> str:
        return contact.operator.get_full_name() or contact.operator.get_username()


class ContactCreateSerializer(serializers.Serializer):
    """Record the signed-in operator's contact with the employer, with an optional next step and its date."""

    contacted_on = serializers.DateField(required=False, help_text="Today when omitted; never in the future.")
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    discussed = serializers.CharField(
        max_length=5000, help_text="The relation with the company; every scout reads it: no health data."
    )
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    next_step = serializers.CharField(max_length=200, allow_blank=True, required=False)
    next_step_on = serializers.DateField(
        allow_null=True, required=False, help_text="The reminder date of the next step."
    )
    closes_pending = serializers.BooleanField(
        default=True, help_text="Complete the operator's own open next steps with this employer (default true)."
    )


class NextStepSerializer(ContactSerializer):
    """A contact whose next step is still to do, with how it stands today."""

    due = serializers.SerializerMethodField(help_text="`overdue`, `today` or `coming`.")

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "due"]
        read_only_fields = fields

    def get_due(self, contact) -> str:
        today = self.context["today"]
        if contact.next_step_on < today:
            return "overdue"
        return "today" if contact.next_step_on == today else "coming"


@extend_schema_view(
    list=extend_schema(responses={200: EmployerSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: EmployerSerializer, **READ_ERRORS}),
    create=extend_schema(request=EmployerCreateSerializer, responses={201: EmployerSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=EmployerUpdateSerializer, responses={200: EmployerSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT}
    ),
)
class EmployerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    PolicyViewSet,
):
    """Employer profiles (filters: `ateco_section`, `municipio`, `open_quota`) and their contact log."""

    model = EmployerProfile
    serializer_class = EmployerSerializer
    filterset_class = EmployerFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def may_write(self, user) -> bool:
        # Scouting staff add and change employers and log contacts; a company referent changes their own profile.
        return policy.is_scout(user) or bool(policy.referent_org_ids(user))

    def base_queryset(self):
        return EmployerProfile.objects.select_related("organisation").order_by("organisation__name", "pk")

    def restrict_action(self) -> str:
        # Logging a contact needs only to see the employer (the service checks the scouting role).
        return "view" if self.action == "contacts" else super().restrict_action()

    def get_serializer_class(self):
        if self.action == "contacts":
            return ContactCreateSerializer if self.request.method == "POST" else ContactSerializer
        return {"create": EmployerCreateSerializer, "partial_update": EmployerUpdateSerializer}.get(
            self.action, EmployerSerializer
        )

    def create(self, request, *args, **kwargs):
        """Add an employer (scouting staff): an organisation of the network, or a new one with its name and kind."""
        serializer = EmployerCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        employer = services.employer_create(
            actor=request.user,
            organisation=data.pop("organisation", None),
            name=data.pop("name", ""),
            kind=data.pop("kind", ""),
            **data,
        )
        return Response(EmployerSerializer(employer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change some fields of the profile, quoting `version`; 409 when someone changed it meanwhile."""
        employer = self.get_object()
        serializer = EmployerUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": [_("This field is required.")]})
        try:
            employer = services.employer_update(actor=request.user, employer=employer, version=version, **changes)
        except StaleObjectError as exc:
            return conflict_response(exc)
        return Response(EmployerSerializer(employer).data)

    @extend_schema(methods=["GET"], responses={200: ContactSerializer(many=True), **READ_ERRORS})
    @extend_schema(
        methods=["POST"], request=ContactCreateSerializer, responses={201: ContactSerializer, **DETAIL_WRITE_ERRORS}
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def contacts(self, request, pk=None):
        """GET: the employer's contact log, newest first. POST: record the signed-in operator's contact.

        The log is for scouting staff only: for anyone else the employer has no contact log (404).
        """
        employer = self.get_object()
        if not policy.can_view_contacts(request.user):
            raise Http404
        if request.method == "GET":
            queryset = selectors.employer_contacts(request.user, employer).select_related("employer__organisation")
            page = self.paginator.paginate_queryset(queryset, request, view=self)
            return self.paginator.get_paginated_response(ContactSerializer(page, many=True).data)
        serializer = ContactCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("contacted_on", timezone.localdate())
        contact = services.contact_log(actor=request.user, employer=employer, **data)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(responses={200: NextStepSerializer(many=True), **LIST_ERRORS}))
class NextStepViewSet(mixins.ListModelMixin, PolicyViewSet):
    """The signed-in operator's next steps with employers due within two weeks, overdue first."""

    model = EmployerContact
    serializer_class = NextStepSerializer
    filterset_class = None

    def may_write(self, user) -> bool:
        return policy.is_scout(user)

    def base_queryset(self):
        return EmployerContact.objects.select_related("employer__organisation", "organisation", "operator")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return EmployerContact.objects.none()
        if self.action == "list":
            return selectors.due_next_steps_for(self.request.user, today=timezone.localdate()).select_related(
                "organisation", "operator"
            )
        return super().get_queryset()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(request=None, responses={200: NextStepSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Mark the next step as done today (its operator, or a scouting coordinator of its organisation)."""
        contact = self.get_object()
        contact = services.contact_next_step_done(actor=request.user, contact=contact)
        contact = self.base_queryset().get(pk=contact.pk)
        return Response(NextStepSerializer(contact, context=self.get_serializer_context()).data)
