"""The directory of the network: organisations and their units, readable by every signed-in user."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import NotFound

from accounts.models import Organisation, Unit
from api.openapi import LIST_ERRORS, READ_ERRORS, PonteAutoSchema


class OrganisationSerializer(serializers.ModelSerializer):
    """A member of the network."""

    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "kind", "territory", "tax_code", "is_active"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    """A team inside an organisation."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "organisation", "organisation_name", "name", "kind", "territory", "is_active"]
        read_only_fields = fields


class OrganisationFilter(django_filters.FilterSet):
    class Meta:
        model = Organisation
        fields = ["kind", "territory", "is_active"]


class UnitFilter(django_filters.FilterSet):
    class Meta:
        model = Unit
        fields = ["kind", "territory", "organisation", "is_active"]


class DirectoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only, not tenant-owned: the directory is the same for everybody, so no restrict() applies."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_value_converter = "str"
    schema = PonteAutoSchema()

    def get_object(self):
        # A non-numeric id is a 404 like a missing one, not a 500.
        if not str(self.kwargs.get(self.lookup_field, "")).isdigit():
            raise NotFound
        return super().get_object()


@extend_schema_view(
    list=extend_schema(responses={200: OrganisationSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: OrganisationSerializer, **READ_ERRORS}),
)
class OrganisationViewSet(DirectoryViewSet):
    """Organisations of the network (filters: kind, territory, is_active)."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter


@extend_schema_view(
    list=extend_schema(responses={200: UnitSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: UnitSerializer, **READ_ERRORS}),
)
class UnitViewSet(DirectoryViewSet):
    """Units of the organisations (filters: kind, territory, organisation, is_active)."""

    queryset = Unit.objects.select_related("organisation")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
