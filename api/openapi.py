"""Shapes of the API's error answers, shared by every endpoint's schema."""

from django.utils import translation
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class PonteAutoSchema(AutoSchema):
    """The schema is written in English whatever the active language, so openapi.yaml does not depend on it.

    (Field labels and help texts are translated strings; the interface speaks Italian by default.)
    """

    def get_operation(self, *args, **kwargs):
        with translation.override("en"):
            return super().get_operation(*args, **kwargs)


class ErrorSerializer(serializers.Serializer):
    """403, 404 and parse errors: one readable message."""

    detail = serializers.CharField(read_only=True)


class ValidationErrorSerializer(serializers.Serializer):
    """400: each invalid field maps to its messages; `non_field_errors` for the request as a whole.

    A body that is not valid JSON (or too large) answers `{"detail": "..."}` instead.
    """

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)


class ConflictSerializer(serializers.Serializer):
    """409: the row changed since the client read it."""

    detail = serializers.CharField()
    changed = serializers.ListField(child=serializers.CharField(), help_text="Fields changed by someone else.")
    version = serializers.IntegerField(help_text="The current version: read the row again and resend with it.")


BAD_REQUEST = OpenApiResponse(ValidationErrorSerializer, description="Invalid input; nothing was saved.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not signed in, or the role may not do this.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Missing, or out of the user's reach (the same answer).")
UNSUPPORTED = OpenApiResponse(ErrorSerializer, description="The body is not JSON (send `application/json`).")
CONFLICT = OpenApiResponse(ConflictSerializer, description="Stale `version`: someone changed the row meanwhile.")

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
LIST_ERRORS = {400: BAD_REQUEST, 403: FORBIDDEN, 404: OpenApiResponse(ErrorSerializer, description="No such page.")}
WRITE_ERRORS = {400: BAD_REQUEST, 403: FORBIDDEN, 415: UNSUPPORTED}
DETAIL_WRITE_ERRORS = {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND, 415: UNSUPPORTED}


def postprocess_schema_enums_in_english(result, generator, request, public):
    """drf-spectacular's enum naming, run in English like the operations (see PonteAutoSchema).

    ENUM_NAME_OVERRIDES match a choice set by its values and labels; the labels are translated, so the hook must
    read them in the language the schema was written in.
    """
    from drf_spectacular.hooks import postprocess_schema_enums

    with translation.override("en"):
        return postprocess_schema_enums(result, generator, request=request, public=public)
