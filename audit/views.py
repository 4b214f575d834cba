"""Pages of the audit log: who accessed one person's record, and the data-protection officer's whole log.

A person's access log is for the coordinators of a treating organisation and for the DPO; the whole log and its
export are for the DPO only. Anyone else gets a 404 identical to a missing page, and the attempt is audited.
"""

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import access_for
from audit.choices import Action, Outcome
from audit.filters import DEFAULT_PAGE_SIZE, AuditLogFilterForm, with_merged_records
from audit.models import AuditEvent
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from core.htmx import render_page
from people.models import Person
from people.permissions import can_view_access_log

# Only what the tables show: the detail (free JSON) is for the export.
TABLE_FIELDS = (
    "id",
    "at",
    "actor_username",
    "organisation_name",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "person_id",
    "channel",
    "ip",
)
# All the DPO reads of a person: the page header.
IDENTITY_FIELDS = ("pk", "first_name", "last_name", "fiscal_code", "merged_into")
CSV_HEADER = (
    "at",
    "username",
    "organisation",
    "action",
    "action_label",
    "outcome",
    "object_type",
    "object_id",
    "person_id",
    "channel",
    "ip",
    "request_id",
    "detail",
)
# Spreadsheets run a cell that starts with one of these as a formula; usernames of failed sign-ins are typed by
# anyone, so such cells are written as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _deny(user, requested: str, *, person: Person | None = None):
    """Record the refused attempt and answer as if the page did not exist."""
    audit_log(
        actor=user,
        action=Action.ACCESS_DENIED,
        obj=person,
        person=person,
        outcome=Outcome.DENIED,
        detail={"requested": requested},
    )
    raise Http404


def _require_dpo(user, requested: str) -> None:
    if not access_for(user).is_dpo:
        _deny(user, requested)


def _person_for_access_log(user, pk: int) -> Person:
    """The person whose access log `user` may read, or Http404 (audited when the record exists)."""
    if access_for(user).is_dpo:
        # The DPO has no person-level access through restrict(): only identity is read, for the page header.
        person = Person.objects.filter(pk=pk).only(*IDENTITY_FIELDS).first()
        if person is None:
            raise Http404
        return person
    person = get_restricted_or_404(Person, user, "view", pk=pk)
    if not can_view_access_log(user, person):
        _deny(user, "access_log", person=person)
    return person


@login_required
@require_safe
def person_log(request, pk: int):
    """Who accessed this record: the events of the person's record and of records merged into it, newest first."""
    person = _person_for_access_log(request.user, pk)
    audit_log(actor=request.user, action=Action.PERSON_AUDIT_VIEW, obj=person)
    events = AuditEvent.objects.filter(person_id__in=sorted(with_merged_records([person.pk]))).only(*TABLE_FIELDS)
    page = Paginator(events, DEFAULT_PAGE_SIZE).get_page(request.GET.get("page"))
    access = access_for(request.user)
    context = {"person": person, "page": page, "show_record_link": not access.is_dpo}
    return render_page(request, "audit/person_log.html", context, partial="results")


@login_required
@require_safe
def log(request):
    """The data-protection officer's log of every event, filtered and paginated."""
    _require_dpo(request.user, "audit_log")
    form = AuditLogFilterForm(request.GET)
    page = None
    if form.is_valid():
        if form.person_id is not None:
            # Filtering by a fiscal code reads who accessed that person's record.
            audit_log(
                actor=request.user,
                action=Action.PERSON_AUDIT_VIEW,
                person=form.person_id,
                detail={"filters": form.as_detail()},
            )
        events = form.filter(AuditEvent.objects.only(*TABLE_FIELDS))
        page = Paginator(events, form.cleaned_data["per_page"]).get_page(request.GET.get("page"))
    return render_page(request, "audit/log.html", {"form": form, "page": page}, partial="results")


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer's output."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv_lines(events):
    writer = csv.writer(_Echo())
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(timezone.localtime(event.at).isoformat()),
                _cell(event.actor_username),
                _cell(event.organisation_name),
                _cell(event.action),
                _cell(event.get_action_display()),
                _cell(event.outcome),
                _cell(event.object_type),
                _cell(event.object_id),
                _cell(event.person_id),
                _cell(event.channel),
                _cell(event.ip),
                _cell(event.request_id),
                _cell(json.dumps(event.detail, ensure_ascii=False, sort_keys=True)),
            ]
        )


@login_required
@require_safe
def log_export(request):
    """The filtered log as CSV, streamed; the export itself is an audit event with its filters."""
    _require_dpo(request.user, "audit_export")
    form = AuditLogFilterForm(request.GET)
    if not form.is_valid():
        # The log page shows what is wrong with these filters; nothing is exported.
        return redirect(f"{reverse('audit:log')}?{request.GET.urlencode()}")
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        person=form.person_id,
        detail={"export": "audit_log", "format": "csv", "filters": form.as_detail()},
    )
    events = form.filter(AuditEvent.objects.all())
    response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ponte-audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
