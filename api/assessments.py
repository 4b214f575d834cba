"""Instruments and assessments in the API: the same rules as the pages (assessments/permissions.py).

Instruments are data without persons: any signed-in user reads them, and each version exports as a FHIR
`Questionnaire`. Assessments are person-level: restrict() decides who reaches them, clinical items and clinical
domain scores are left out for readers who may not see clinical content, every read is audited, and a save based
on an old `version` answers 409 naming the items changed meanwhile.
"""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from api.base import RestrictedViewSet
from api.cases import ReachablePersonField
from api.openapi import CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, PonteAutoSchema
from api.persons import conflict_response
from assessments import fhir
from assessments import services as assessment_services
from assessments.choices import AssessmentStatus
from assessments.definitions import clinical_domain_ids, clinical_item_ids
from assessments.models import Assessment, Instrument, InstrumentVersion
from assessments.permissions import can_view_clinical_items
from audit.choices import Action
from audit.services import audit_log
from core.exceptions import StaleObjectError

# ---------------------------------------------------------------------------------------------- instruments


class InstrumentSerializer(serializers.ModelSerializer):
    """An instrument and the number of its current version (the one new assessments use)."""

    title = serializers.CharField(read_only=True)
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Instrument
        fields = ["code", "title", "title_it", "title_en", "is_active", "current_version"]
        read_only_fields = fields

    def get_current_version(self, instrument) -> int | None:
        numbers = [version.number for version in instrument.versions.all()]
        return max(numbers) if numbers else None


@extend_schema_view(
    list=extend_schema(responses={200: InstrumentSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: InstrumentSerializer, **READ_ERRORS}),
)
class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue of assessment instruments (no person data)."""

    schema = PonteAutoSchema()
    serializer_class = InstrumentSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "code"
    lookup_value_converter = "str"

    def get_queryset(self):
        return Instrument.objects.filter(is_active=True).prefetch_related("versions").order_by("code")

    @extend_schema(
        parameters=[
            OpenApiParameter("version", OpenApiTypes.INT, description="A version number; the current one when omitted.")
        ],
        responses={200: OpenApiTypes.OBJECT, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def questionnaire(self, request, code=None):
        """The instrument version as an HL7 FHIR R4 `Questionnaire`."""
        instrument = self.get_object()
        versions = InstrumentVersion.objects.filter(instrument=instrument).order_by("-number")
        number = request.query_params.get("version")
        if number is not None:
            if not number.isdigit():
                raise NotFound
            versions = versions.filter(number=int(number))
        version = versions.first()
        if version is None:
            raise NotFound
        return Response(fhir.questionnaire(version))


# ---------------------------------------------------------------------------------------------- assessments


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment as the reader may see it: clinical answers and domain scores only for clinical readers."""

    instrument = serializers.CharField(source="instrument_version.instrument.code", read_only=True)
    instrument_version = serializers.IntegerField(source="instrument_version.number", read_only=True)
    answers = serializers.SerializerMethodField()
    domain_scores = serializers.SerializerMethodField(
        help_text="Per domain: score and band code. Clinical domains only for clinical readers."
    )
    band_label = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "person",
            "instrument",
            "instrument_version",
            "organisation",
            "unit",
            "author",
            "status",
            "assessed_on",
            "answers",
            "domain_scores",
            "total",
            "band",
            "band_label",
            "completed_at",
            "version",
        ]
        read_only_fields = fields

    def _clinical(self, assessment) -> bool:
        cache = self.context.setdefault("_clinical", {})
        if assessment.person_id not in cache:
            cache[assessment.person_id] = can_view_clinical_items(self.context["request"].user, assessment.person)
        return cache[assessment.person_id]

    def get_answers(self, assessment) -> dict:
        hidden = set() if self._clinical(assessment) else clinical_item_ids(assessment.definition)
        return {key: value for key, value in assessment.answers.items() if key not in hidden}

    def get_domain_scores(self, assessment) -> dict:
        hidden = set() if self._clinical(assessment) else clinical_domain_ids(assessment.definition)
        domains = (assessment.scores or {}).get("domains") or {}
        return {key: value for key, value in domains.items() if key not in hidden}

    def get_band_label(self, assessment) -> str:
        return assessment.band_label()


class AssessmentStartSerializer(serializers.Serializer):
    """Open a draft assessment of a person with the current version of an instrument."""

    person = ReachablePersonField()
    instrument = serializers.SlugRelatedField(
        slug_field="code", queryset=Instrument.objects.filter(is_active=True), help_text="The instrument's code."
    )
    assessed_on = serializers.DateField(required=False, allow_null=True, help_text="Today when omitted.")


class AssessmentSaveSerializer(serializers.Serializer):
    """Save a draft's answers, based on the `version` read; `complete` also completes it."""

    version = serializers.IntegerField(min_value=1)
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text="Item id → answer, as in the instrument's definition."
    )
    assessed_on = serializers.DateField(required=False, allow_null=True)
    complete = serializers.BooleanField(required=False, default=False)


class AssessmentFilter(django_filters.FilterSet):
    # A plain number: a hidden person's id must answer like a missing one.
    person = django_filters.NumberFilter(field_name="person_id")
    instrument = django_filters.CharFilter(field_name="instrument_version__instrument__code")
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)

    class Meta:
        model = Assessment
        fields = ["person", "instrument", "status"]


@extend_schema_view(
    list=extend_schema(responses={200: AssessmentSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: AssessmentSerializer, **READ_ERRORS}),
    create=extend_schema(request=AssessmentStartSerializer, responses={201: AssessmentSerializer, **WRITE_ERRORS}),
)
class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """Assessments of the persons the user's organisation treats or assessed (filters: person, instrument, status)."""

    model = Assessment
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def base_queryset(self):
        return Assessment.objects.select_related("instrument_version__instrument", "person").order_by(
            "-assessed_on", "-pk"
        )

    def get_serializer_class(self):
        return {"create": AssessmentStartSerializer, "save": AssessmentSaveSerializer}.get(
            self.action, AssessmentSerializer
        )

    def _answer(self, assessment, *, status_code=status.HTTP_200_OK):
        return Response(
            AssessmentSerializer(assessment, context=self.get_serializer_context()).data, status=status_code
        )

    def retrieve(self, request, *args, **kwargs):
        """One assessment (audited)."""
        assessment = self.get_object()
        audit_log(actor=request.user, action=Action.ASSESSMENT_VIEW, obj=assessment, person=assessment.person)
        return self._answer(assessment)

    def create(self, request, *args, **kwargs):
        """Open a draft with the instrument's current version, for the user's organisation."""
        serializer = AssessmentStartSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = InstrumentVersion.objects.filter(instrument=data["instrument"]).order_by("-number").first()
        if version is None:
            raise NotFound
        try:
            assessment = assessment_services.assessment_start(
                actor=request.user, person=data["person"], version=version, assessed_on=data.get("assessed_on")
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from exc
        return self._answer(assessment, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=AssessmentSaveSerializer,
        responses={200: AssessmentSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def save(self, request, pk=None):
        """Save a draft; scores are computed on every save. Stale `version`: 409 naming the items changed."""
        assessment = self.get_object()
        serializer = AssessmentSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            assessment = assessment_services.assessment_save(
                actor=request.user,
                assessment=assessment,
                version=data["version"],
                answers=data["answers"],
                assessed_on=data.get("assessed_on"),
                complete=data["complete"],
            )
        except StaleObjectError as exc:
            return conflict_response(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from exc
        return self._answer(assessment)

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **READ_ERRORS})
    @action(detail=True, methods=["get"])
    def fhir(self, request, pk=None):
        """The assessment as an HL7 FHIR R4 `QuestionnaireResponse` (clinical items only for clinical readers)."""
        assessment = self.get_object()
        clinical = can_view_clinical_items(request.user, assessment.person)
        audit_log(
            actor=request.user,
            action=Action.ASSESSMENT_VIEW,
            obj=assessment,
            person=assessment.person,
            detail={"format": "fhir"},
        )
        return Response(fhir.questionnaire_response(assessment, include_clinical=clinical))
