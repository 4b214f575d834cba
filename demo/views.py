"""The benchmark's "limit" view: the least a page can do through the whole Django stack."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponse


@login_required
def limit_view(request, pk: int):
    """One person row by primary key with raw SQL, in a tiny HTML page: the stack's ceiling.

    It passes through the same middleware and session sign-in as the real pages, so the ratio to it
    measures what the pages themselves cost. It bypasses restrict(), which is why it exists only
    when PONTE_BENCH is on and shows no personal data, only the row's id and the length of the name.
    """
    if not getattr(settings, "PONTE_BENCH", False):
        raise Http404
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, last_name FROM people_person WHERE id = %s", [pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return HttpResponse(f"<!doctype html><title>limit</title><p>{int(row[0])} {len(row[1])}</p>")
