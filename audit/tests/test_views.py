"""The audit pages: a person's access log, the DPO's log and its CSV export; who reaches them and what they show."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.choices import Action, Outcome
from audit.models import AuditEvent
from audit.services import audit_log
from core.testing.cast import make_person

MISSING_PK = 999_999
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
# Everyone but the coordinators of a treating organisation and the DPO.
NOT_ALLOWED = [
    "operator_a",
    "clinician_a",
    "peer_a",
    "operator_b",
    "coordinator_b",
    "clinician_b",
    "analyst",
    "company_referent",
    "sysadmin",
]


def same_page(response) -> str:
    """The body without its per-response CSRF token and its own address, to compare two responses."""
    return _CSRF.sub(r"\1", response.content.decode()).replace(response.wsgi_request.path, "PATH")


def events_shown(response) -> list[int]:
    return [event.pk for event in response.context["page"].object_list]


def read_csv(response) -> tuple[bytes, list[dict]]:
    raw = b"".join(response.streaming_content)
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def viewed(cast, person_a):
    """operator_a read person_a's record; someone else signed in."""
    audit_log(actor=cast.operator_a, action=Action.PERSON_VIEW, obj=person_a)
    audit_log(actor=cast.operator_b, action=Action.LOGIN)
    return person_a


# ---------------------------------------------------------------------------------------------- a person's log


def test_coordinator_of_the_treating_organisation_sees_who_accessed_the_record(cast, viewed, client_for):
    response = client_for(cast.coordinator_a).get(reverse("audit:person_log", args=[viewed.pk]))
    assert response.status_code == 200
    shown = response.context["page"].object_list
    # The view of operator_a, and this page's own audit event (written before the list is read), newest first.
    assert [(e.actor_username, e.action) for e in shown] == [
        ("coordinator_a", Action.PERSON_AUDIT_VIEW),
        ("operator_a", Action.PERSON_VIEW),
    ]
    body = response.content.decode()
    assert "operator_a" in body and "ASST Fatebenefratelli Sacco" in body
    assert "operator_b" not in body  # not an event of this person
    assert '<th scope="col">' in body and "<caption>" in body


def test_viewing_the_person_log_is_audited(cast, viewed, client_for):
    client_for(cast.coordinator_a).get(reverse("audit:person_log", args=[viewed.pk]))
    event = AuditEvent.objects.get(action=Action.PERSON_AUDIT_VIEW)
    assert (event.actor, event.person_id, event.object_type, event.object_id) == (
        cast.coordinator_a,
        viewed.pk,
        "people.person",
        str(viewed.pk),
    )
    assert event.outcome == Outcome.OK and event.channel == "web" and event.ip == "127.0.0.1"


@pytest.mark.parametrize("who", NOT_ALLOWED)
def test_others_get_a_missing_page_and_the_attempt_is_audited(cast, viewed, client_for, who):
    client = client_for(getattr(cast, who))
    hidden = client.get(reverse("audit:person_log", args=[viewed.pk]))
    missing = client.get(reverse("audit:person_log", args=[MISSING_PK]))
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    denied = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert (denied.actor, denied.person_id, denied.outcome) == (getattr(cast, who), viewed.pk, Outcome.DENIED)
    assert not AuditEvent.objects.filter(action=Action.PERSON_AUDIT_VIEW).exists()


def test_other_organisation_operator_is_refused_like_a_missing_record(cast, viewed, client_for):
    """operator_b's case spelled out: the 404 page gives nothing away, and only the real record is audited."""
    client = client_for(cast.operator_b)
    hidden = client.get(f"/audit/persons/{viewed.pk}/")
    missing = client.get(f"/audit/persons/{MISSING_PK}/")
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    assert "Rossi" not in hidden.content.decode()
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=cast.operator_b).count() == 1


def test_dpo_sees_the_person_log_with_identity_only(cast, viewed, client_for):
    response = client_for(cast.dpo).get(reverse("audit:person_log", args=[viewed.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert viewed.fiscal_code in body and "Rossi" in body and "Maria" in body
    # Identity is all the DPO gets of the record: no clinical content, no link to a record page they cannot open.
    assert "F20-F29" not in body and "diagnosis" not in body.lower()
    assert f'href="{reverse("people:detail", args=[viewed.pk])}"' not in body
    assert AuditEvent.objects.filter(action=Action.PERSON_AUDIT_VIEW, actor=cast.dpo, person_id=viewed.pk).exists()


def test_dpo_gets_a_missing_page_for_a_missing_person(cast, client_for):
    assert client_for(cast.dpo).get(reverse("audit:person_log", args=[MISSING_PK])).status_code == 404


@pytest.mark.parametrize("who", ["coordinator_a", "dpo"])
def test_an_out_of_range_id_is_a_missing_page(cast, client_for, who):
    response = client_for(getattr(cast, who)).get("/audit/persons/99999999999999999999999/")
    assert response.status_code == 404


def test_the_log_includes_records_merged_into_this_one(cast, person_a, client_for):
    twin = make_person(registered_by=cast.org_b, merged_into=person_a)
    older = make_person(registered_by=cast.org_b, merged_into=twin)  # a chain of merges
    for record in (twin, older):
        audit_log(actor=cast.operator_b, action=Action.PERSON_VIEW, obj=record)
    response = client_for(cast.coordinator_a).get(reverse("audit:person_log", args=[person_a.pk]))
    views = [e.person_id for e in response.context["page"].object_list if e.action == Action.PERSON_VIEW]
    assert sorted(views) == sorted([twin.pk, older.pk])


def test_person_log_is_paginated_and_a_bad_page_number_is_not_an_error(cast, person_a, client_for):
    AuditEvent.objects.bulk_create(
        [AuditEvent(actor_username="operator_a", action=Action.PERSON_VIEW, person_id=person_a.pk) for _ in range(60)]
    )
    client = client_for(cast.coordinator_a)
    first = client.get(reverse("audit:person_log", args=[person_a.pk]), headers={"accept-language": "en"})
    assert len(events_shown(first)) == 50
    assert '<nav class="pagination-wrapper" aria-label="Pages of the access log">' in first.content.decode()
    # 60 events, and one more for each view of this page.
    assert len(events_shown(client.get(reverse("audit:person_log", args=[person_a.pk]), {"page": 2}))) == 12
    for page in ("abc", "-1", "99999", "1e9"):
        assert client.get(reverse("audit:person_log", args=[person_a.pk]), {"page": page}).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, person_a):
    for url in (reverse("audit:person_log", args=[person_a.pk]), reverse("audit:log"), reverse("audit:log_export")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# ---------------------------------------------------------------------------------------------- the DPO's log


@pytest.mark.parametrize("who", ["analyst", "coordinator_a", "operator_a", "sysadmin", "company_referent"])
@pytest.mark.parametrize("name", ["audit:log", "audit:log_export"])
def test_the_whole_log_is_only_for_the_dpo(cast, client_for, who, name):
    response = client_for(getattr(cast, who)).get(reverse(name))
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert denied.actor == getattr(cast, who) and denied.outcome == Outcome.DENIED
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_analyst_gets_404_on_every_audit_page(cast, person_a, client_for):
    client = client_for(cast.analyst)
    for url in (reverse("audit:log"), reverse("audit:log_export"), reverse("audit:person_log", args=[person_a.pk])):
        assert client.get(url).status_code == 404


def test_dpo_sees_every_event_newest_first(cast, viewed, client_for):
    response = client_for(cast.dpo).get(reverse("audit:log"))
    assert response.status_code == 200
    assert events_shown(response) == list(AuditEvent.objects.order_by("-at", "-id").values_list("pk", flat=True))
    body = response.content.decode()
    assert 'aria-label="' in body and "<caption>" in body
    assert reverse("audit:person_log", args=[viewed.pk]) in body


def test_dpo_log_shows_50_events_a_page_unless_asked_otherwise(cast, client_for):
    AuditEvent.objects.bulk_create([AuditEvent(actor_username="u", action=Action.LOGIN) for _ in range(120)])
    client = client_for(cast.dpo)
    response = client.get(reverse("audit:log"))
    assert len(events_shown(response)) == 50
    body = response.content.decode()
    assert '<option value="50" selected>' in body
    assert f'<option value="{cast.org_a.pk}">ASST Fatebenefratelli Sacco</option>' in body
    assert len(events_shown(client.get(reverse("audit:log"), {"per_page": 100}))) == 100
    # 120 events and the DPO's sign-in.
    assert len(events_shown(client.get(reverse("audit:log"), {"page": 3}))) == AuditEvent.objects.count() - 100 == 21


def test_dpo_filters_by_action_outcome_username_and_organisation(cast, viewed, client_for):
    audit_log(actor=cast.operator_b, action=Action.ACCESS_DENIED, obj=viewed, outcome=Outcome.DENIED)
    client = client_for(cast.dpo)
    url = reverse("audit:log")

    def shown(**filters):
        response = client.get(url, filters)
        assert response.status_code == 200, response.context["form"].errors
        return [(e.actor_username, e.action) for e in response.context["page"].object_list]

    assert shown(action=Action.PERSON_VIEW) == [("operator_a", Action.PERSON_VIEW)]
    assert shown(outcome=Outcome.DENIED) == [("operator_b", Action.ACCESS_DENIED)]
    assert shown(username="OPERATOR_B") == [("operator_b", Action.ACCESS_DENIED), ("operator_b", Action.LOGIN)]
    assert shown(organisation=cast.org_a.pk) == [("operator_a", Action.PERSON_VIEW)]
    assert shown(organisation=cast.org_b.pk, action=Action.LOGIN) == [("operator_b", Action.LOGIN)]


def test_dpo_filters_by_date_range(cast, viewed, client_for):
    client = client_for(cast.dpo)
    today = timezone.localdate()
    all_events = AuditEvent.objects.count()
    response = client.get(reverse("audit:log"), {"from": today.isoformat(), "to": today.isoformat()})
    assert response.context["page"].paginator.count == all_events
    yesterday = today - datetime.timedelta(days=1)
    assert client.get(reverse("audit:log"), {"to": yesterday.isoformat()}).context["page"].paginator.count == 0
    tomorrow = today + datetime.timedelta(days=1)
    assert client.get(reverse("audit:log"), {"from": tomorrow.isoformat()}).context["page"].paginator.count == 0


def test_dpo_filters_by_fiscal_code_including_merged_records(cast, person_a, client_for):
    twin = make_person(registered_by=cast.org_b, merged_into=person_a)
    stranger = make_person(registered_by=cast.org_b)
    for record in (person_a, twin, stranger):
        audit_log(actor=cast.operator_b, action=Action.PERSON_VIEW, obj=record)
    client = client_for(cast.dpo)
    # Typed in lower case with spaces, as people do.
    typed = " ".join([person_a.fiscal_code[:6], person_a.fiscal_code[6:]]).lower()
    response = client.get(reverse("audit:log"), {"fiscal_code": typed, "action": Action.PERSON_VIEW})
    assert response.status_code == 200
    assert sorted(e.person_id for e in response.context["page"].object_list) == sorted([person_a.pk, twin.pk])
    # The search reads who accessed person_a's record: audited like the person log.
    event = AuditEvent.objects.get(action=Action.PERSON_AUDIT_VIEW, actor=cast.dpo)
    assert event.person_id == person_a.pk
    assert event.detail["filters"]["person_ids"] == sorted([person_a.pk, twin.pk])
    # The merged record's own fiscal code finds its events too.
    by_twin = client.get(reverse("audit:log"), {"fiscal_code": twin.fiscal_code, "action": Action.PERSON_VIEW})
    assert [e.person_id for e in by_twin.context["page"].object_list] == [twin.pk]


def test_an_unknown_fiscal_code_finds_nothing(cast, viewed, client_for):
    response = client_for(cast.dpo).get(reverse("audit:log"), {"fiscal_code": "ZZZZZZ00A00Z000Z"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert not AuditEvent.objects.filter(action=Action.PERSON_AUDIT_VIEW).exists()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2025-13-45"}, "from", "Enter a valid date."),
        ({"to": "yesterday"}, "to", "Enter a valid date."),
        ({"from": "0001-01-01"}, "from", "greater than or equal to"),
        ({"to": "9999-12-31"}, "to", "less than or equal to"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to", "The end date is before the start date."),
        ({"action": "bogus"}, "action", "Select a valid choice."),
        ({"outcome": "maybe"}, "outcome", "Select a valid choice."),
        ({"organisation": "abc"}, "organisation", "Select a valid choice."),
        ({"organisation": "99999999999999999999999"}, "organisation", "Select a valid choice."),
        ({"per_page": "7"}, "per_page", "Select a valid choice."),
        ({"fiscal_code": "RSS' OR 1=1"}, "fiscal_code", "Enter a fiscal code"),
        ({"username": "x" * 151}, "username", "at most 150 characters"),
        ({"username": "nul\x00byte"}, "username", "Null characters are not allowed."),
    ],
)
def test_bad_filter_input_is_a_message_on_the_field_not_an_error(cast, viewed, client_for, params, field, message):
    response = client_for(cast.dpo).get(reverse("audit:log"), params, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response.context["page"] is None  # nothing is listed under filters that are not understood
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body and 'aria-invalid="true"' in body
    assert message.split("%")[0] in body.replace("&#x27;", "'")


def test_bad_filters_export_nothing_and_lead_back_to_the_log(cast, viewed, client_for):
    response = client_for(cast.dpo).get(reverse("audit:log_export"), {"from": "2025-13-45"})
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:log") + "?from=2025-13-45"
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_htmx_request_gets_the_results_only(cast, viewed, client_for):
    response = client_for(cast.dpo).get(reverse("audit:log"), headers={"hx-request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="audit-results"' in body and "<html" not in body


def test_query_count_does_not_grow_with_the_page_size(cast, viewed, client_for):
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(actor_username=f"user{n}", action=Action.PERSON_VIEW, person_id=viewed.pk, channel="web")
            for n in range(120)
        ]
    )
    client = client_for(cast.dpo)
    counts = {}
    for size in (25, 200):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("audit:log"), {"per_page": size, "outcome": Outcome.OK})
        assert len(events_shown(response)) == min(size, AuditEvent.objects.filter(outcome=Outcome.OK).count())
        counts[size] = len(queries)
    assert counts[25] == counts[200]


# ---------------------------------------------------------------------------------------------- the CSV export


def test_export_streams_the_filtered_log_as_utf8_csv_with_a_bom(cast, viewed, client_for):
    audit_log(actor=None, action=Action.LOGIN_FAILED, outcome=Outcome.DENIED, detail={"username": "Zoë"})
    response = client_for(cast.dpo).get(reverse("audit:log_export"), {"action": Action.PERSON_VIEW, "page": "3"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ponte-audit-')
    raw, rows = read_csv(response)
    assert raw.startswith(b"\xef\xbb\xbfat,username,organisation,action,")
    assert len(rows) == 1
    row = rows[0]
    assert row["username"] == "operator_a"
    assert row["organisation"] == "ASST Fatebenefratelli Sacco"
    assert row["action"] == Action.PERSON_VIEW and row["outcome"] == Outcome.OK
    assert row["person_id"] == str(viewed.pk) and row["object_type"] == "people.person"
    assert datetime.datetime.fromisoformat(row["at"]).tzinfo is not None


def test_export_of_everything_keeps_non_ascii_text(cast, viewed, client_for):
    audit_log(actor=None, action=Action.LOGIN_FAILED, outcome=Outcome.DENIED, detail={"username": "Zoë Niccolò"})
    _raw, rows = read_csv(client_for(cast.dpo).get(reverse("audit:log_export")))
    failed = next(row for row in rows if row["action"] == Action.LOGIN_FAILED)
    assert failed["username"] == "Zoë Niccolò"
    assert '"username": "Zoë Niccolò"' in failed["detail"]


def test_export_is_audited_with_its_filters(cast, viewed, client_for):
    today = timezone.localdate().isoformat()
    response = client_for(cast.dpo).get(
        reverse("audit:log_export"), {"from": today, "action": Action.PERSON_VIEW, "fiscal_code": viewed.fiscal_code}
    )
    read_csv(response)
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == cast.dpo and event.outcome == Outcome.OK
    assert event.person_id == viewed.pk
    assert event.detail["filters"] == {
        "from": today,
        "action": Action.PERSON_VIEW,
        "fiscal_code": viewed.fiscal_code,
        "person_ids": [viewed.pk],
    }


def test_export_writes_formula_like_cells_as_text(cast, client_for):
    # Anyone can type a username at the sign-in page; a spreadsheet must not run it.
    audit_log(actor=None, action=Action.LOGIN_FAILED, outcome=Outcome.DENIED, detail={"username": "=HYPERLINK(1)"})
    _raw, rows = read_csv(client_for(cast.dpo).get(reverse("audit:log_export"), {"action": Action.LOGIN_FAILED}))
    assert rows[0]["username"] == "'=HYPERLINK(1)"
