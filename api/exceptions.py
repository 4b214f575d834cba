"""API errors: always JSON with a readable message, never a stack trace."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler


def ponte_exception_handler(exc, context):
    """DRF's handler, with Django's ValidationError (raised by services) turned into a 400."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(detail=exc.message_dict)
        else:
            exc = exceptions.ValidationError(detail={"non_field_errors": exc.messages})
    return exception_handler(exc, context)
