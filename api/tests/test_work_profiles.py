"""A candidate's work profile through the API: the treating team reads (audited) and changes it; others get 404."""

import datetime

import pytest
from django.utils import timezone

from api.tests.arrange import all_keys
from assessments.loader import load_instruments
from assessments.models import Assessment, InstrumentVersion
from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_consent
from opportunities.models import WorkProfile
from opportunities.tests.conftest import candidate  # noqa: F401 (fixtures)
from plans.vocabulary import load_vocabulary

pytestmark = pytest.mark.django_db

HEALTH_KEYS = {"diagnosis_group", "civil_invalidity_percent", "fiscal_code"}


def url(person) -> str:
    return f"/api/v1/candidates/{person.pk}/work-profile/"


def test_the_treating_team_reads_the_profile_and_the_read_is_audited(cast, candidate, api_for):  # noqa: F811
    response = api_for(cast.operator_a).get(url(candidate))
    assert response.status_code == 200
    body = response.json()
    assert body["exists"] is True and body["version"] == 1 and body["law68_registered"] is True
    assert [(w["kind"], w["code"]) for w in body["wishes"]] == [("isco", "93"), ("ateco", "52")]
    assert body["skills"] == {"warehouse": 4, "ts_teamwork": 3, "forklift": 1}
    assert (body["max_hours_per_week"], body["reachable_areas"], body["disclosure"]) == (30, ["M9", "M8"], "none")
    assert not all_keys(body) & HEALTH_KEYS
    event = AuditEvent.objects.get(action=Action.WORK_PROFILE_VIEW)
    assert (event.actor, event.person_id, event.detail) == (cast.operator_a, candidate.pk, {"exists": True})
    # A peer expert of the treating team reads it too (and writes nothing, below).
    assert api_for(cast.peer_a).get(url(candidate)).status_code == 200


@pytest.mark.parametrize("who", ["operator_b", "clinician_b", "company_referent", "analyst", "sysadmin", "dpo"])
def test_anyone_outside_the_treating_team_gets_a_404(cast, candidate, api_for, who):  # noqa: F811
    api = api_for(getattr(cast, who))
    response = api.get(url(candidate))
    missing = api.get("/api/v1/candidates/987654/work-profile/")
    assert response.status_code == missing.status_code == 404 and response.json() == missing.json()
    # Roles that write elsewhere find no such candidate; roles that never write are refused before any lookup.
    expected = 404 if who in ("operator_b", "clinician_b") else 403
    assert api.patch(url(candidate), {"version": 1, "notes": "x"}).status_code == expected
    assert WorkProfile.objects.get(person=candidate).notes == ""
    assert not AuditEvent.objects.filter(action=Action.WORK_PROFILE_VIEW).exists()


def test_a_sharing_consent_opens_the_record_not_the_work_profile(cast, candidate, api_for):  # noqa: F811
    make_consent(person=candidate, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["social"])
    api = api_for(cast.operator_b)
    assert api.get(f"/api/v1/persons/{candidate.pk}/").status_code == 200
    assert api.get(url(candidate)).status_code == 404
    denied = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, person=candidate).latest("pk")
    assert denied.detail == {"requested": "work_profile"}


def test_a_candidate_without_a_profile_gets_the_skills_balance_prefill_then_creates_it(cast, person_a, api_for):
    load_vocabulary()
    load_instruments()
    version = InstrumentVersion.objects.get(instrument__code="skills_balance")
    Assessment.objects.create(
        person=person_a,
        instrument_version=version,
        organisation=cast.org_a,
        unit=cast.unit_a,
        author=cast.operator_a,
        status="completed",
        completed_at=timezone.now(),
        assessed_on=datetime.date(2026, 9, 1),
        answers={"ts_teamwork": "4", "interest_first": "93", "interest_groups": ["93", "52"]},
    )
    api = api_for(cast.operator_a)
    empty = api.get(url(person_a)).json()
    assert (empty["exists"], empty["version"]) == (False, None)
    assert [w["code"] for w in empty["wishes"]] == ["93", "52"] and empty["skills"] == {"ts_teamwork": 4}
    assert empty["skills_source"] == "skills_balance 2026-09-01"
    assert not WorkProfile.objects.exists()

    created = api.patch(
        url(person_a),
        {
            "wishes": [{"kind": "isco", "code": "93"}, {"kind": "ateco", "code": "52"}],
            "skills": {"ts_teamwork": 4, "warehouse": 3},
            "days": [1, 2, 3],
            "reachable_areas": ["M9", "Sesto San Giovanni"],
            "disclosure": "details",
            "disclosure_text": "Preferisce un tutor nelle prime settimane.",
        },
    )
    assert created.status_code == 200
    profile = WorkProfile.objects.get(person=person_a)
    assert (profile.organisation, profile.updated_by, profile.days) == (cast.org_a, cast.operator_a, [1, 2, 3])
    assert created.json()["version"] == 1 and created.json()["disclosure"] == "details"
    event = AuditEvent.objects.get(action=Action.WORK_PROFILE_SAVE)
    assert event.person_id == person_a.pk and event.detail["created"] is True
    # The disclosure text is never copied into the audit.
    assert "Preferisce" not in str(event.detail)


def test_a_change_quotes_the_version(cast, candidate, api_for):  # noqa: F811
    api = api_for(cast.coordinator_a)
    changed = api.patch(url(candidate), {"version": 1, "max_hours_per_week": 20, "disclosure": "disability"})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    profile = WorkProfile.objects.get(person=candidate)
    assert (profile.max_hours_per_week, profile.disclosure, profile.version) == (20, "disability", 2)
    event = AuditEvent.objects.get(action=Action.WORK_PROFILE_SAVE)
    assert event.detail == {"created": False, "fields": ["disclosure", "max_hours_per_week"], "version": 2}

    for stale in ({"version": 1, "notes": "x"}, {"notes": "x"}):
        response = api.patch(url(candidate), stale)
        assert response.status_code == 409 and response.json()["version"] == 2
    profile.refresh_from_db()
    assert profile.notes == ""


def test_a_peer_expert_reads_but_does_not_write(cast, candidate, api_for):  # noqa: F811
    response = api_for(cast.peer_a).patch(url(candidate), {"version": 1, "max_hours_per_week": 10})
    assert response.status_code == 403
    assert WorkProfile.objects.get(person=candidate).max_hours_per_week == 30


@pytest.mark.parametrize(
    "change, field",
    [
        ({"disclosure": "details"}, "disclosure_text"),
        ({"disclosure_text": "Un testo senza la scelta"}, "disclosure_text"),
        ({"skills": {"warehouse": 7}}, "skills"),
        ({"skills": {"juggling": 3}}, "skills"),
        ({"wishes": [{"kind": "isco", "code": "0000"}]}, "wishes"),
        ({"wishes": [{"kind": "astrology", "code": "1"}]}, "wishes"),
        ({"wishes": [{"kind": "isco", "code": str(n)} for n in range(11, 20)]}, "wishes"),
        ({"days": [9]}, "days"),
        ({"max_hours_per_week": 0}, "max_hours_per_week"),
        ({"available_from": "tomorrow"}, "available_from"),
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(cast, candidate, api_for, change, field):  # noqa: F811
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.patch(url(candidate), {"version": 1, **change})
    assert response.status_code == 400 and field in response.json(), response.json()
    profile = WorkProfile.objects.get(person=candidate)
    assert (profile.version, profile.disclosure, profile.skills["warehouse"]) == (1, "none", 4)
    assert not AuditEvent.objects.filter(action=Action.WORK_PROFILE_SAVE).exists()
