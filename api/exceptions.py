"""API errors: always JSON with a readable message, never a stack trace."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


def ponte_exception_handler(exc, context):
    """DRF's handler, with Django's ValidationError (raised by services) turned into a 400.

    A database constraint that a service did not check first (a race between two writers) is a 400
    too, never a 500: the transaction is rolled back and the client may retry.
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(detail=exc.message_dict)
        else:
            exc = exceptions.ValidationError(detail={"non_field_errors": exc.messages})
    elif isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = exceptions.ParseError(f"Request body too large (the limit is {limit} bytes).")
    elif isinstance(exc, IntegrityError):
        logger.warning("Integrity error answered as 400: %s", exc)
        exc = exceptions.ValidationError(
            detail={"non_field_errors": ["The data conflict with a record saved meanwhile. Reload and try again."]}
        )
    return exception_handler(exc, context)
