"""The shared vocabulary of the evaluation's focus areas (seed 004's "Dizionario identikit"), read-only:
`/api/v1/vocabulary/?q=` and `/api/v1/vocabulary/{slug}/`.

Not person data: anyone signed in reads it, nothing is audited. `q` matches every word, in either language,
against names, synonyms in social and in health language and definitions, ignoring case and accents (the same
search as the page). `name` and `definition` are in the request's language (Accept-Language), both languages are
always given too. `goal_count` counts the plan goals of the whole network that use the term: a number, no person.
"""

from django.db.models import Count
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.openapi import LIST_ERRORS, READ_ERRORS, PonteAutoSchema
from api.parsers import PonteJSONParser
from core.i18n import current_language
from plans import vocabulary as vocabulary_search
from plans.choices import GoalArea
from plans.models import Term


class TermSerializer(serializers.ModelSerializer):
    """A term: its definition and its synonyms in social and in health language."""

    area = serializers.ChoiceField(
        choices=GoalArea.choices, allow_blank=True, read_only=True, help_text="Empty: across areas."
    )
    name = serializers.SerializerMethodField(help_text="In the request's language.")
    definition = serializers.SerializerMethodField(help_text="In the request's language.")
    social_synonyms = serializers.ListField(child=serializers.CharField(), read_only=True)
    health_synonyms = serializers.ListField(child=serializers.CharField(), read_only=True)
    goal_count = serializers.IntegerField(read_only=True, help_text="Plan goals of the network that use the term.")

    class Meta:
        model = Term
        fields = [
            "slug",
            "area",
            "name",
            "definition",
            "name_it",
            "name_en",
            "definition_it",
            "definition_en",
            "social_synonyms",
            "health_synonyms",
            "goal_count",
        ]
        read_only_fields = fields

    def get_name(self, term) -> str:
        return term.name_en if current_language() == "en" else term.name_it

    def get_definition(self, term) -> str:
        return term.definition_en if current_language() == "en" else term.definition_it


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="Words to find in names, synonyms and definitions (either language)."
            )
        ],
        responses={200: TermSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(responses={200: TermSerializer, **READ_ERRORS}),
)
class TermViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The shared vocabulary, sorted by name in the request's language (filter: `q`)."""

    schema = PonteAutoSchema()
    parser_classes = [PonteJSONParser]
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TermSerializer
    lookup_field = "slug"
    lookup_value_converter = "str"

    def get_queryset(self):
        return Term.objects.annotate(goal_count=Count("goals")).order_by("pk")

    def list(self, request, *args, **kwargs):
        """Every term, or those matching `q`."""
        terms = list(self.get_queryset())
        name = "name_en" if current_language() == "en" else "name_it"
        terms.sort(key=lambda term: vocabulary_search.fold(getattr(term, name)))
        query = request.query_params.get("q", "").strip()[:200]
        if query:
            terms = vocabulary_search.search(terms, query)
        page = self.paginate_queryset(terms)
        return self.get_paginated_response(TermSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        """One term, by its code."""
        term = self.get_queryset().filter(slug=kwargs.get("slug", "")).first()
        if term is None:
            raise NotFound
        return Response(TermSerializer(term).data)
