"""The API reads JSON only, and refuses oversized or malformed bodies with a 400 before any serializer runs."""

import codecs
import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class PonteJSONParser(JSONParser):
    """DRF's JSON parser with a size limit and protection from pathological nesting.

    DRF reads the request stream directly, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE (which guards
    `request.body`) does not apply: we enforce the same limit here.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise ParseError(f"Request body too large (the limit is {limit} bytes).")
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON.
    raise ValueError(f"{name} is not valid JSON")
