"""Persons and their consents: `/api/v1/persons/`, `/api/v1/persons/{id}/consents/`, `/api/v1/consents/{id}/withdraw/`.

A person's fields are grouped in the sections of people.permissions.visible_sections(): identity is always
returned to whoever sees the person; the other groups only when their section is visible (the keys are
omitted otherwise, never sent empty, so a client cannot confuse "hidden" with "blank").
"""

import django_filters
from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import access_for
from accounts.models import Organisation
from api.base import RestrictedViewSet
from api.openapi import CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from audit.choices import Action
from audit.services import audit_log
from cases.models import Case
from core.exceptions import StaleObjectError
from people.choices import ConsentPurpose, Municipio, ShareSection
from people.models import Consent, Person
from people.permissions import person_q_for_search, visible_sections
from people.sections import (
    ALL_SECTIONS,
    FIELD_SECTION,
    IDENTITY_FIELDS,
    SECTION_FIELDS,
    WRITABLE_PROFILE_FIELDS,
    fields_in_sections,
)

# ---------------------------------------------------------------------------------------------- serializers


class PersonSummarySerializer(serializers.ModelSerializer):
    """A row of the registry list: identity only, which every user who sees the person may read."""

    registered_by_name = serializers.CharField(source="registered_by.name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", *IDENTITY_FIELDS, "registered_by", "registered_by_name", "version"]
        read_only_fields = fields


class PersonCaseSerializer(serializers.ModelSerializer):
    """A case of the person at any organisation (the "cases" section)."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    # A plain string here: the enum is documented once, on Case.
    status = serializers.CharField(read_only=True, help_text="`open`, `suspended` or `closed`.")

    class Meta:
        model = Case
        fields = ["organisation", "organisation_name", "unit", "unit_name", "area", "status", "opened_on", "closed_on"]
        read_only_fields = fields


# Small-integer fields are declared, not derived: DRF would add the database backend's integer range to them,
# and openapi.yaml would differ between SQLite and PostgreSQL.
def _invalidity_percent(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=100, allow_null=True, required=False, **kwargs)


def _municipio(**kwargs):
    return serializers.ChoiceField(choices=Municipio.choices, allow_null=True, required=False, **kwargs)


class PersonDetailSerializer(serializers.ModelSerializer):
    """A person's record as the user may see it: identity always; every other field only when its section is in
    `visible_sections`. The keys of hidden sections are omitted, never sent empty.
    """

    # The view passes the user's visible sections in the context as "sections".

    registered_by_name = serializers.CharField(source="registered_by.name", read_only=True)
    visible_sections = serializers.SerializerMethodField(help_text="The sections of the record returned to this user.")
    civil_invalidity_percent = _invalidity_percent(help_text='Only with the "social" section.')
    residence_municipio = _municipio(help_text='Only with the "contacts" section.')
    # Not read-only only so that the schema marks them optional: this serializer is never used for input.
    cases = PersonCaseSerializer(many=True, required=False, help_text='Only with the "cases" section.')

    class Meta:
        model = Person
        fields = [
            "id",
            *IDENTITY_FIELDS,
            "registered_by",
            "registered_by_name",
            "version",
            "created_at",
            "updated_at",
            "visible_sections",
            *(field for fields in SECTION_FIELDS.values() for field in fields),
        ]
        read_only_fields = ["id", *IDENTITY_FIELDS, "registered_by", "version", "created_at", "updated_at"]
        extra_kwargs = {
            field: {"required": False, "help_text": f'Only with the "{section}" section.'}
            for field, section in FIELD_SECTION.items()
            if field != "cases"
        }

    def _sections(self) -> frozenset[str]:
        """The user's visible sections; none when a caller forgot to give them (fail closed)."""
        return frozenset(self.context.get("sections", ()))

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ALL_SECTIONS)))
    def get_visible_sections(self, person) -> list[str]:
        return sorted(self._sections())

    def get_fields(self):
        fields = super().get_fields()
        if "sections" in self.context:
            # Hidden sections are not even read (the schema generator, with no sections, sees every field).
            allowed = fields_in_sections(self._sections())
            for name in FIELD_SECTION:
                if name not in allowed:
                    fields.pop(name, None)
        return fields

    def to_representation(self, person):
        # The keys of hidden sections are left out, never sent empty.
        allowed = fields_in_sections(self._sections())
        data = super().to_representation(person)
        for field in FIELD_SECTION:
            if field not in allowed:
                data.pop(field, None)
        return data


class PersonWriteSerializer(serializers.ModelSerializer):
    """Fields common to registration and change; ids of organisations are checked by the services."""

    civil_invalidity_percent = _invalidity_percent()
    residence_municipio = _municipio()

    class Meta:
        model = Person
        fields = [*IDENTITY_FIELDS, *WRITABLE_PROFILE_FIELDS]
        extra_kwargs = {"birth_place_code": {"required": False}}


class PersonCreateSerializer(PersonWriteSerializer):
    """Register a person. `organisation` defaults to the user's own; `diagnosis_group` needs a clinical role."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        help_text="The registering organisation, when the user belongs to several.",
    )

    class Meta(PersonWriteSerializer.Meta):
        fields = [*PersonWriteSerializer.Meta.fields, "organisation"]

    def validate_diagnosis_group(self, value):
        if value and not access_for(self.context["request"].user).clinical_org_ids:
            raise serializers.ValidationError("Only a clinician may record the diagnosis group.")
        return value


class PersonUpdateSerializer(PersonWriteSerializer):
    """Change some fields of a person, quoting the `version` read; only fields of visible sections."""

    version = serializers.IntegerField(min_value=1, help_text="The version the change is based on.")

    class Meta(PersonWriteSerializer.Meta):
        fields = [*PersonWriteSerializer.Meta.fields, "version"]
        extra_kwargs = {field: {"required": False} for field in PersonWriteSerializer.Meta.fields}

    def validate(self, attrs):
        allowed = fields_in_sections(self.context["sections"])
        hidden = sorted(field for field in attrs if field != "version" and field not in allowed)
        if hidden:
            raise serializers.ValidationError({field: ["You may not change this field."] for field in hidden})
        return attrs


class ConsentSerializer(serializers.ModelSerializer):
    """A consent of the person, for one purpose, given to one organisation."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    recorded_by_organisation_name = serializers.CharField(source="recorded_by_organisation.name", read_only=True)
    sections = serializers.ListField(child=serializers.ChoiceField(choices=ShareSection.choices), read_only=True)
    is_active = serializers.SerializerMethodField(help_text="In force today.")

    class Meta:
        model = Consent
        fields = [
            "id",
            "person",
            "purpose",
            "organisation",
            "organisation_name",
            "sections",
            "given_on",
            "withdrawn_on",
            "is_active",
            "recorded_by_organisation",
            "recorded_by_organisation_name",
            "note",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_active(self, consent) -> bool:
        return consent.is_active()


class ConsentCreateSerializer(serializers.Serializer):
    """Record a consent the person gave."""

    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True), help_text="The organisation the consent is given to."
    )
    given_on = serializers.DateField()
    sections = serializers.ListField(
        child=serializers.ChoiceField(choices=ShareSection.choices),
        required=False,
        max_length=len(ShareSection),
        help_text="For sharing: the sections opened to the organisation (identity always is, clinical never).",
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ConsentWithdrawSerializer(serializers.Serializer):
    """Record the withdrawal of a consent (today when no date is given)."""

    withdrawn_on = serializers.DateField(required=False, allow_null=True)


# ---------------------------------------------------------------------------------------------- filters


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=100, label="Fiscal code prefix, or words of the first and last name"
    )

    class Meta:
        model = Person
        fields = ["q", "sex", "birth_date", "registered_by"]

    def search(self, queryset, name, value):
        return queryset.filter(person_q_for_search(value))


# ---------------------------------------------------------------------------------------------- views


def _people_services():
    from people import services

    return services


@extend_schema_view(
    list=extend_schema(responses={200: PersonSummarySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: PersonDetailSerializer, **READ_ERRORS}),
    create=extend_schema(request=PersonCreateSerializer, responses={201: PersonDetailSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=PersonUpdateSerializer, responses={200: PersonDetailSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT}
    ),
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RestrictedViewSet,
):
    """The persons the user's organisations treat or were given consent to see."""

    model = Person
    filterset_class = PersonFilter
    serializer_class = PersonSummarySerializer
    # No PUT: changes are partial and quote the version they are based on.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return Person.objects.select_related("registered_by")

    def get_serializer_class(self):
        return {
            "retrieve": PersonDetailSerializer,
            "create": PersonCreateSerializer,
            "partial_update": PersonUpdateSerializer,
            "consents": ConsentCreateSerializer if self.request.method == "POST" else ConsentSerializer,
        }.get(self.action, PersonSummarySerializer)

    def _detail(self, person, *, status_code=status.HTTP_200_OK):
        sections = visible_sections(self.request.user, person)
        if ShareSection.CASES in sections:
            cases = Case.objects.select_related("organisation", "unit").order_by("-opened_on", "-pk")
            prefetch_related_objects([person], Prefetch("cases", queryset=cases))
        context = {**self.get_serializer_context(), "sections": sections}
        return Response(PersonDetailSerializer(person, context=context).data, status=status_code), sections

    def list(self, request, *args, **kwargs):
        """The persons the user may see, identity only (searching with `q` is audited)."""
        query = request.query_params.get("q", "").strip()
        response = super().list(request, *args, **kwargs)
        if query and response.status_code == status.HTTP_200_OK:
            audit_log(actor=request.user, action=Action.PERSON_SEARCH, detail={"q": query[:100]})
        return response

    def retrieve(self, request, *args, **kwargs):
        """A person's record, limited to the sections the user may see (audited)."""
        person = self.get_object()
        response, sections = self._detail(person)
        audit_log(actor=request.user, action=Action.PERSON_VIEW, obj=person, detail={"sections": sorted(sections)})
        return response

    def create(self, request, *args, **kwargs):
        """Register a person in the user's organisation (or the `organisation` given)."""
        serializer = PersonCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        person = _people_services().person_create(actor=request.user, **serializer.validated_data)
        return self._detail(person, status_code=status.HTTP_201_CREATED)[0]

    def partial_update(self, request, *args, **kwargs):
        """Change some fields, quoting the `version` read; 409 when someone changed the record meanwhile."""
        person = self.get_object()
        sections = visible_sections(request.user, person)
        context = {**self.get_serializer_context(), "sections": sections}
        serializer = PersonUpdateSerializer(person, data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": ["This field is required."]})
        try:
            person = _people_services().person_update(actor=request.user, person=person, version=version, **changes)
        except StaleObjectError as exc:
            allowed = fields_in_sections(sections)
            return conflict_response(exc, allowed)
        return self._detail(person)[0]

    @extend_schema(
        methods=["GET"],
        responses={200: ConsentSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"], request=ConsentCreateSerializer, responses={201: ConsentSerializer, **DETAIL_WRITE_ERRORS}
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def consents(self, request, pk=None):
        """GET: the person's consents. POST: record a consent the person gave (treating team only)."""
        person = self.get_object()
        if request.method == "GET":
            queryset = (
                Consent.objects.restrict(request.user, "view")
                .filter(person=person)
                .select_related("organisation", "recorded_by_organisation")
            )
            page = self.paginator.paginate_queryset(queryset, request, view=self)
            audit_log(actor=request.user, action=Action.PERSON_VIEW, obj=person, detail={"part": "consents"})
            return self.paginator.get_paginated_response(ConsentSerializer(page, many=True).data)
        serializer = ConsentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        consent = _people_services().consent_give(actor=request.user, person=person, **serializer.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentViewSet(RestrictedViewSet):
    """Consents reached by id: only their withdrawal has its own URL."""

    model = Consent
    serializer_class = ConsentWithdrawSerializer

    def base_queryset(self):
        return Consent.objects.select_related("organisation", "recorded_by_organisation")

    @extend_schema(request=ConsentWithdrawSerializer, responses={200: ConsentSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Record that the person withdrew the consent: access resting on it ends at once."""
        consent = self.get_object()
        serializer = ConsentWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = _people_services().consent_withdraw(
            actor=request.user, consent=consent, withdrawn_on=serializer.validated_data.get("withdrawn_on")
        )
        return Response(ConsentSerializer(consent).data)


def conflict_response(exc: StaleObjectError, allowed_fields=None) -> Response:
    """409 naming the fields someone else changed (only those the user may see) and the current version."""
    changed = sorted(name for name in exc.changed if allowed_fields is None or name in allowed_fields)
    return Response(
        {
            "detail": "Someone else changed this record meanwhile. Read it again and reapply your change.",
            "changed": changed,
            "version": exc.current.version,
        },
        status=status.HTTP_409_CONFLICT,
    )
