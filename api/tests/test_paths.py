"""Job-inclusion paths in the API: the state machine, attendance and indemnity, follow-ups, events, activities
and the 20% ceiling, training groups; another organisation's 404, read-only roles' 403, bad input's 400, audit."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from api.tests.arrange import make_accepted_proposal, queries_of
from audit.choices import Action
from audit.models import AuditEvent
from cases.models import Case
from core.testing.cast import make_case, make_consent, make_person
from paths import services
from paths.choices import ActivityKind, EventKind, PathStatus
from paths.models import Activity, Enrolment, FollowUp, MonthlyAttendance, Path, ProgrammeEvent, TrainingGroup
from paths.tests.conftest import internship_fields, make_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def host(db):
    return make_host()


@pytest.fixture
def case_a(person_a):
    return person_a.cases.get()


@pytest.fixture
def internship(cast, person_a, case_a, host):
    return services.path_create(
        actor=cast.operator_a, person=person_a, case=case_a, service_tutor=cast.operator_a, **internship_fields(host)
    )


def internship_body(person, host, **overrides):
    body = {
        "person": person.pk,
        "kind": "internship",
        "host": host.pk,
        "title": "Magazziniere",
        "starts_on": "2025-03-01",
        "planned_end_on": "2025-08-31",
        "hours_per_week": "20.0",
        "beneficiary_category": "standard",
        "monthly_indemnity": "500.00",
    }
    body.update(overrides)
    return body


# ---------------------------------------------------------------------------------------------- paths


def test_plan_an_internship_move_it_and_read_its_history(cast, person_a, case_a, host, api_for):
    api = api_for(cast.operator_a)
    created = api.post("/api/v1/paths/", internship_body(person_a, host, case=case_a.pk))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["organisation"], body["case"], body["version"]) == (
        "planned",
        cast.org_a.pk,
        case_a.pk,
        1,
    )
    path = Path.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(action=Action.PATH_SAVE, object_id=str(path.pk), person=person_a).exists()

    moved = api.post(f"/api/v1/paths/{path.pk}/transition/", {"to_status": "active", "on": "2025-03-01", "version": 1})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == "active"
    assert [(c["from_status"], c["to_status"]) for c in moved.json()["changes"]] == [
        ("", "planned"),
        ("planned", "active"),
    ]

    before = AuditEvent.objects.filter(action=Action.PATH_VIEW, person=person_a).count()
    listing = api.get("/api/v1/paths/", {"person": person_a.pk, "status": "active"}).json()
    assert [row["id"] for row in listing["results"]] == [path.pk]
    assert api.get("/api/v1/paths/", {"kind": "course"}).json()["count"] == 0
    assert api.get("/api/v1/paths/", {"organisation": cast.org_b.pk}).json()["count"] == 0
    detail = api.get(f"/api/v1/paths/{path.pk}/").json()
    assert detail["host_name"] == host.name and detail["version"] == 2
    assert AuditEvent.objects.filter(action=Action.PATH_VIEW, person=person_a).count() == before + 2


def test_a_path_starts_from_an_accepted_proposal(cast, person_a, host, api_for):
    proposal = make_accepted_proposal(cast=cast, person=person_a, host=host)
    api = api_for(cast.operator_a)
    created = api.post(
        "/api/v1/paths/",
        {
            "person": person_a.pk,
            "proposal": proposal.pk,
            "starts_on": "2026-09-01",
            "planned_end_on": "2027-02-28",
            "beneficiary_category": "disadvantaged",
            "monthly_indemnity": "500.00",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["proposal"], body["opportunity"], body["kind"], body["host"]) == (
        proposal.pk,
        proposal.opportunity_id,
        "internship",
        host.pk,
    )
    assert body["title"] == "Addetto al magazzino" and body["hours_per_week"] == "30.0"
    # One path per proposal.
    again = api.post("/api/v1/paths/", {"person": person_a.pk, "proposal": proposal.pk, "starts_on": "2026-09-01"})
    assert again.status_code == 400 and "proposal" in again.json()
    assert Path.objects.count() == 1


def test_invalid_moves_are_refused_and_a_stale_version_is_a_409(cast, internship, api_for):
    api = api_for(cast.operator_a)
    with translation.override("en"):
        refused = api.post(f"/api/v1/paths/{internship.pk}/transition/", {"to_status": "completed", "version": 1})
    assert refused.status_code == 400 and "to_status" in refused.json()
    # Messages follow the client's language (Accept-Language), as everywhere in the API.
    with api.sending_invalid_requests():
        url = f"/api/v1/paths/{internship.pk}/transition/"
        italian = api.post(url, {"to_status": "active"}, HTTP_ACCEPT_LANGUAGE="it")
        english = api.post(url, {"to_status": "active"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["version"] == ["This field is required."]
    assert italian.status_code == 400 and italian.json()["version"] != english.json()["version"]
    no_reason = api.post(f"/api/v1/paths/{internship.pk}/transition/", {"to_status": "interrupted", "version": 1})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    stale = api.post(f"/api/v1/paths/{internship.pk}/transition/", {"to_status": "active", "version": 7})
    assert stale.status_code == 409 and stale.json()["version"] == 1
    internship.refresh_from_db()
    assert (internship.status, internship.version) == ("planned", 1)


def test_details_change_with_the_rules_checked(cast, internship, api_for):
    api = api_for(cast.operator_a)
    low = api.patch(f"/api/v1/paths/{internship.pk}/", {"monthly_indemnity": "300.00", "version": 1})
    assert low.status_code == 400 and "monthly_indemnity" in low.json()
    changed = api.patch(f"/api/v1/paths/{internship.pk}/", {"host_tutor": "Sig.ra Neri", "version": 1})
    assert changed.status_code == 200 and changed.json()["host_tutor"] == "Sig.ra Neri"
    stale = api.patch(f"/api/v1/paths/{internship.pk}/", {"host_tutor": "Sig. Gialli", "version": 1})
    assert stale.status_code == 409
    internship.refresh_from_db()
    assert (internship.host_tutor, internship.monthly_indemnity, internship.version) == (
        "Sig.ra Neri",
        Decimal("500"),
        2,
    )


def test_attendance_gives_the_indemnity_due_and_conversion_opens_the_hiring(cast, internship, api_for):
    api = api_for(cast.operator_a)
    api.post(f"/api/v1/paths/{internship.pk}/transition/", {"to_status": "active", "version": 1})
    month = api.post(
        f"/api/v1/paths/{internship.pk}/attendance/",
        {"month": "2025-03-14", "planned_hours": "80", "attended_hours": "60"},
    )
    assert month.status_code == 201, month.json()
    assert (month.json()["month"], month.json()["indemnity_due"], month.json()["percent"]) == (
        "2025-03-01",
        "375.00",
        75,
    )
    rows = api.get(f"/api/v1/paths/{internship.pk}/attendance/").json()
    assert [row["indemnity_due"] for row in rows] == ["375.00"]
    assert api.get(f"/api/v1/paths/{internship.pk}/").json()["indemnity_total"] == "375.00"

    today = timezone.localdate()
    hiring = api.post(
        f"/api/v1/paths/{internship.pk}/convert/",
        {"kind": "hiring_fixed", "starts_on": today.isoformat(), "version": 2},
    )
    assert hiring.status_code == 201, hiring.json()
    assert (hiring.json()["previous"], hiring.json()["status"], hiring.json()["kind"]) == (
        internship.pk,
        "active",
        "hiring_fixed",
    )
    assert [f["months"] for f in hiring.json()["follow_ups"]] == [1, 3, 6, 12]
    internship.refresh_from_db()
    assert internship.status == PathStatus.CONVERTED


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "astronaut"}, "kind"),
        ({"host": 987654}, "host"),
        ({"starts_on": "2025-02-30"}, "starts_on"),
        ({"monthly_indemnity": "300.00"}, "monthly_indemnity"),
        ({"planned_end_on": "2027-03-01"}, "planned_end_on"),
        ({"hours_per_week": "99"}, "hours_per_week"),
        ({"person": 987654}, "person"),
        ({"kind": None}, "kind"),
    ],
)
def test_bad_path_input_is_400_and_nothing_is_saved(cast, person_a, host, api_for, change, field):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post("/api/v1/paths/", {**internship_body(person_a, host), **change})
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Path.objects.count() == 0


def test_bad_attendance_is_400_and_nothing_is_saved(cast, internship, api_for):
    api = api_for(cast.operator_a)
    over = api.post(
        f"/api/v1/paths/{internship.pk}/attendance/",
        {"month": "2025-04-01", "planned_hours": "80", "attended_hours": "81"},
    )
    before = api.post(
        f"/api/v1/paths/{internship.pk}/attendance/",
        {"month": "2025-01-01", "planned_hours": "80", "attended_hours": "10"},
    )
    assert over.status_code == 400 and "attended_hours" in over.json()
    assert before.status_code == 400 and "month" in before.json()
    assert MonthlyAttendance.objects.count() == 0


def test_another_organisation_gets_404_and_read_only_roles_403(cast, internship, person_a, host, api_for):
    other = api_for(cast.operator_b)
    for url in ("/api/v1/paths/{}/", "/api/v1/paths/{}/attendance/"):
        hidden, missing = other.get(url.format(internship.pk)), other.get(url.format(987654))
        assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    moved = other.post(f"/api/v1/paths/{internship.pk}/transition/", {"to_status": "active", "version": 1})
    assert moved.status_code == 404
    assert other.get("/api/v1/paths/").json()["count"] == 0
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_id=str(internship.pk)).exists()
    for user in (cast.analyst, cast.company_referent, cast.dpo):
        assert api_for(user).get("/api/v1/paths/").json()["count"] == 0

    peer = api_for(cast.peer_a)
    assert peer.get(f"/api/v1/paths/{internship.pk}/").status_code == 200
    assert (
        peer.post(f"/api/v1/paths/{internship.pk}/transition/", {"to_status": "active", "version": 1}).status_code
        == 403
    )
    assert peer.post("/api/v1/paths/", internship_body(person_a, host)).status_code == 403
    internship.refresh_from_db()
    assert internship.status == "planned" and Path.objects.count() == 1


def test_the_path_list_runs_a_fixed_number_of_queries(cast, person_a, case_a, host, api_for):
    api = api_for(cast.operator_a)
    services.path_create(actor=cast.operator_a, person=person_a, case=case_a, **internship_fields(host))
    few = queries_of(lambda: api.get("/api/v1/paths/"))
    for n in range(4):
        other = make_person(registered_by=cast.org_a)
        make_case(person=other, unit=cast.unit_a)
        other_host = make_host(f"Altro ospite {n}", employees=None)
        services.path_create(actor=cast.operator_a, person=other, case=None, **internship_fields(other_host))
    assert queries_of(lambda: api.get("/api/v1/paths/")) == few
    assert api.get("/api/v1/paths/").json()["count"] == 5


# ---------------------------------------------------------------------------------------------- follow-ups


@pytest.fixture
def hiring(cast, person_a, case_a, host):
    path = services.path_create(
        actor=cast.operator_a,
        person=person_a,
        case=case_a,
        service_tutor=cast.operator_a,
        kind="hiring_open",
        host=host,
        starts_on=timezone.localdate() - datetime.timedelta(days=100),
    )
    return services.path_transition(actor=cast.operator_a, path=path, to_status=PathStatus.ACTIVE)


def test_the_follow_up_agenda_and_recording_a_check(cast, hiring, api_for):
    api = api_for(cast.operator_a)
    agenda = api.get("/api/v1/follow-ups/").json()
    assert [row["months"] for row in agenda["results"]] == [1, 3, 6, 12]
    overdue = api.get("/api/v1/follow-ups/", {"when": "overdue"}).json()["results"]
    assert [row["months"] for row in overdue] == [1, 3] and all(row["overdue"] for row in overdue)
    assert api_for(cast.coordinator_a).get("/api/v1/follow-ups/").json()["count"] == 0  # not their caseload…
    assert api_for(cast.coordinator_a).get("/api/v1/follow-ups/", {"team": "true"}).json()["count"] == 4  # …the team's

    first = overdue[0]["id"]
    recorded = api.post(f"/api/v1/follow-ups/{first}/record/", {"outcome": "stable", "note": "Tutto bene"})
    assert recorded.status_code == 200 and recorded.json()["outcome"] == "stable"
    assert AuditEvent.objects.filter(action=Action.PATH_EVENT, object_id=str(hiring.pk)).exists()
    assert [row["months"] for row in api.get("/api/v1/follow-ups/", {"when": "overdue"}).json()["results"]] == [3]

    with api.sending_invalid_requests():
        bad = api.post(f"/api/v1/follow-ups/{overdue[1]['id']}/record/", {"outcome": "fine"})
    assert bad.status_code == 400 and "outcome" in bad.json()
    other = api_for(cast.operator_b).post(f"/api/v1/follow-ups/{overdue[1]['id']}/record/", {"outcome": "stable"})
    assert other.status_code == 404
    assert (
        api_for(cast.peer_a).post(f"/api/v1/follow-ups/{overdue[1]['id']}/record/", {"outcome": "stable"}).status_code
        == 403
    )
    assert FollowUp.objects.filter(done_on__isnull=False).count() == 1


# ---------------------------------------------------------------------------------------------- events


def test_a_hospitalisation_is_for_treating_clinicians_only(cast, person_a, internship, api_for):
    body = {"person": person_a.pk, "kind": "hospitalisation", "occurred_on": "2025-04-01", "ended_on": "2025-04-20"}
    refused = api_for(cast.operator_a).post("/api/v1/events/", body)
    assert refused.status_code == 403
    recorded = api_for(cast.clinician_a).post("/api/v1/events/", {**body, "path": internship.pk})
    assert recorded.status_code == 201, recorded.json()
    event = ProgrammeEvent.objects.get()
    assert AuditEvent.objects.filter(action=Action.PATH_EVENT, object_id=str(event.pk)).exists()

    assert api_for(cast.clinician_a).get("/api/v1/events/", {"person": person_a.pk}).json()["count"] == 1
    for user in (cast.operator_a, cast.coordinator_a, cast.peer_a, cast.operator_b, cast.analyst):
        api = api_for(user)
        assert api.get("/api/v1/events/", {"person": person_a.pk}).json()["count"] == 0
        assert api.get(f"/api/v1/events/{event.pk}/").status_code == 404
    assert api_for(cast.clinician_a).get(f"/api/v1/events/{event.pk}/").json()["kind"] == "hospitalisation"
    assert AuditEvent.objects.filter(action=Action.PATH_VIEW, object_id=str(event.pk)).count() == 1


def test_a_drop_out_closes_the_case(cast, person_a, case_a, internship, api_for):
    api = api_for(cast.operator_a)
    bad = api.post("/api/v1/events/", {"person": person_a.pk, "kind": "drop_out", "occurred_on": "2999-01-01"})
    assert bad.status_code == 400 and "occurred_on" in bad.json()
    assert ProgrammeEvent.objects.count() == 0
    response = api.post(
        "/api/v1/events/", {"person": person_a.pk, "kind": EventKind.DROP_OUT, "occurred_on": "2025-05-05"}
    )
    assert response.status_code == 201
    case_a.refresh_from_db()
    internship.refresh_from_db()
    assert (case_a.closing_reason, internship.status) == ("drop_out", "interrupted")
    hidden = api_for(cast.operator_b).post(
        "/api/v1/events/", {"person": person_a.pk, "kind": "drop_out", "occurred_on": "2025-05-05"}
    )
    assert hidden.status_code == 400 and "person" in hidden.json()  # out of reach: an unknown id
    assert ProgrammeEvent.objects.count() == 1


# ---------------------------------------------------------------------------------------------- activities


def test_the_ceiling_is_a_warning_that_needs_confirmation(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    day = timezone.localdate().replace(month=1, day=5).isoformat()
    for _n in range(8):
        assert (
            api.post(
                "/api/v1/activities/", {"performed_on": day, "minutes": 60, "kind": "coaching", "person": person_a.pk}
            ).status_code
            == 201
        )
    for _n in range(2):
        ok = api.post("/api/v1/activities/", {"performed_on": day, "minutes": 30, "kind": "network_meeting"})
        assert ok.status_code == 201, ok.json()
    assert ok.json()["ceiling"]["state"] == "near" and ok.json()["ceiling"]["percent"] == "20.0"
    warned = api.post("/api/v1/activities/", {"performed_on": day, "minutes": 30, "kind": "network_meeting"})
    assert warned.status_code == 400 and "accept_over_ceiling" in warned.json()
    assert Activity.objects.count() == 10
    confirmed = api.post(
        "/api/v1/activities/",
        {"performed_on": day, "minutes": 30, "kind": "network_meeting", "accept_over_ceiling": True},
    )
    assert confirmed.status_code == 201 and confirmed.json()["ceiling"]["state"] == "over"
    assert confirmed.json()["attributable"] is False and confirmed.json()["person"] is None
    gauge = api.get("/api/v1/activities/ceiling/").json()
    assert (gauge["total"], gauge["non_attributable"], gauge["attributable_needed"]) == (11, 3, 4)
    assert AuditEvent.objects.filter(action=Action.ACTIVITY_SAVE).count() == 11
    assert api.get("/api/v1/activities/", {"attributable": "false"}).json()["count"] == 3


def test_activities_are_the_organisations_and_bad_ones_are_400(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        for body, field in (
            ({"performed_on": "2025-01-05", "minutes": 2, "kind": "coaching"}, "minutes"),
            ({"performed_on": "2025-01-05", "minutes": 30, "kind": "lunch"}, "kind"),
            ({"performed_on": "2999-01-05", "minutes": 30, "kind": "coaching", "person": person_a.pk}, "performed_on"),
        ):
            response = api.post("/api/v1/activities/", body)
            assert response.status_code == 400 and field in response.json(), response.json()
    other = api_for(cast.operator_b).post(
        "/api/v1/activities/", {"performed_on": "2025-01-05", "minutes": 30, "kind": "coaching", "person": person_a.pk}
    )
    assert other.status_code == 400 and "person" in other.json()
    assert (
        api_for(cast.peer_a)
        .post("/api/v1/activities/", {"performed_on": "2025-01-05", "minutes": 30, "kind": "coaching"})
        .status_code
        == 403
    )
    assert Activity.objects.count() == 0
    mine = services.activity_record(
        actor=cast.operator_a,
        performed_on=datetime.date(2025, 1, 5),
        minutes=30,
        kind=ActivityKind.COACHING,
        accept_over_ceiling=True,
    )
    assert api_for(cast.operator_b).get(f"/api/v1/activities/{mine.pk}/").status_code == 404
    assert api_for(cast.operator_b).get("/api/v1/activities/").json()["count"] == 0


# ---------------------------------------------------------------------------------------------- groups


@pytest.fixture
def group(cast):
    return services.group_create(
        actor=cast.coordinator_b,
        year=2025,
        title="Il colloquio di lavoro",
        topic="Prepararsi al colloquio",
        target="Candidati dei Poli Lavoro",
        partner_organisation=cast.org_a,
        conductor=cast.operator_b,
        co_conductor=cast.operator_a,
        place="Via Statuto 5",
        capacity=1,
    )


def candidate(cast):
    person = make_person(registered_by=cast.org_a)
    make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
    make_consent(person=person, organisation=cast.org_b, recorded_by=cast.operator_a)
    return person


def test_enrolment_with_a_waiting_list(cast, group, api_for):
    api = api_for(cast.operator_a)
    first, second = candidate(cast), candidate(cast)
    catalogue = api.get("/api/v1/groups/", {"year": 2025}).json()
    assert [row["id"] for row in catalogue["results"]] == [group.pk]
    enrolled = api.post(f"/api/v1/groups/{group.pk}/enrol/", {"person": first.pk, "referring_unit": cast.unit_a.pk})
    waiting = api.post(f"/api/v1/groups/{group.pk}/enrol/", {"person": second.pk, "referring_unit": cast.unit_a.pk})
    assert enrolled.status_code == waiting.status_code == 201, waiting.json()
    assert (enrolled.json()["status"], waiting.json()["status"], waiting.json()["position"]) == (
        "enrolled",
        "waiting",
        1,
    )
    again = api.post(f"/api/v1/groups/{group.pk}/enrol/", {"person": first.pk, "referring_unit": cast.unit_a.pk})
    assert again.status_code == 400 and "person" in again.json()

    group_row = api.get(f"/api/v1/groups/{group.pk}/").json()
    assert (group_row["enrolled"], group_row["waiting"]) == (1, 1)
    participants = api.get(f"/api/v1/groups/{group.pk}/participants/").json()
    assert [(row["person"], row["position"]) for row in participants] == [(first.pk, None), (second.pk, 1)]
    assert AuditEvent.objects.filter(action=Action.PATH_VIEW, person=second).exists()

    withdrawn = api.post(f"/api/v1/enrolments/{enrolled.json()['id']}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert Enrolment.objects.get(person=second).status == "enrolled"


def test_enrolment_needs_a_polo_lavoro_and_reachable_persons(cast, group, api_for):
    person = candidate(cast)
    # The CPS is not a Polo Lavoro; org B's operator does not enrol from A's team nor reach A's person by change.
    cps = api_for(cast.clinician_a).post(
        f"/api/v1/groups/{group.pk}/enrol/", {"person": person.pk, "referring_unit": cast.cps_a.pk}
    )
    assert cps.status_code == 400 and "referring_unit" in cps.json()
    other = api_for(cast.operator_b).post(
        f"/api/v1/groups/{group.pk}/enrol/", {"person": person.pk, "referring_unit": cast.unit_a.pk}
    )
    assert other.status_code == 400 and set(other.json()) >= {"referring_unit"}
    assert (
        api_for(cast.peer_a)
        .post(f"/api/v1/groups/{group.pk}/enrol/", {"person": person.pk, "referring_unit": cast.unit_a.pk})
        .status_code
        == 403
    )
    assert Enrolment.objects.count() == 0
    # Enrolments are read by the referring and the conducting organisations only.
    lone = TrainingGroup.objects.create(
        year=2025,
        title="Solo B",
        topic="t",
        target="t",
        organisation=cast.org_b,
        partner_organisation=cast.org_b,
        conductor=cast.operator_b,
        co_conductor=cast.coordinator_b,
        place="p",
        capacity=3,
    )
    person_b = make_person(registered_by=cast.org_b)
    make_case(person=person_b, unit=cast.unit_b)
    enrolment = services.enrol(actor=cast.operator_b, group=lone, person=person_b, referring_unit=cast.unit_b)
    assert api_for(cast.operator_a).get(f"/api/v1/groups/{lone.pk}/participants/").json() == []
    assert api_for(cast.operator_a).get(f"/api/v1/enrolments/{enrolment.pk}/").status_code == 404
    assert api_for(cast.analyst).get(f"/api/v1/groups/{lone.pk}/").status_code == 404
    assert Case.objects.filter(person=person_b).count() == 1


def test_the_other_lists_run_a_fixed_number_of_queries(cast, person_a, case_a, host, group, api_for):
    api = api_for(cast.operator_a)
    clinician = api_for(cast.clinician_a)
    urls = ["/api/v1/follow-ups/", "/api/v1/events/", "/api/v1/activities/", "/api/v1/groups/"]

    def add_rows(n):
        for _ in range(n):
            person = make_person(registered_by=cast.org_a)
            case = make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
            hiring = services.path_create(
                actor=cast.operator_a,
                person=person,
                case=case,
                kind="hiring_open",
                host=host,
                starts_on=datetime.date(2025, 1, 10),
            )
            services.path_transition(actor=cast.operator_a, path=hiring, to_status=PathStatus.ACTIVE)
            services.event_record(
                actor=cast.clinician_a,
                person=person,
                kind=EventKind.HOSPITALISATION,
                occurred_on=datetime.date(2025, 4, 1),
            )
            services.activity_record(
                actor=cast.operator_a,
                performed_on=datetime.date(2025, 2, 1),
                minutes=30,
                kind=ActivityKind.COACHING,
                person=person,
            )
            services.group_create(
                actor=cast.coordinator_b,
                year=2025,
                title=f"Gruppo {person.pk}",
                topic="t",
                target="t",
                partner_organisation=cast.org_a,
                conductor=cast.operator_b,
                co_conductor=cast.operator_a,
                place="p",
                capacity=5,
            )

    add_rows(1)
    few = {url: queries_of(lambda url=url: (clinician if "events" in url else api).get(url)) for url in urls}
    add_rows(4)
    many = {url: queries_of(lambda url=url: (clinician if "events" in url else api).get(url)) for url in urls}
    assert few == many
    assert clinician.get("/api/v1/events/").json()["count"] == 5
    assert api.get("/api/v1/follow-ups/").json()["count"] == 20


def test_a_discharge_is_recorded_by_the_treating_clinician(cast, person_a, api_for):
    clinician = api_for(cast.clinician_a)
    event = clinician.post(
        "/api/v1/events/", {"person": person_a.pk, "kind": "hospitalisation", "occurred_on": "2025-04-01"}
    ).json()
    url = f"/api/v1/events/{event['id']}/discharge/"
    assert api_for(cast.operator_a).post(url, {"ended_on": "2025-04-20"}).status_code == 404
    early = clinician.post(url, {"ended_on": "2025-03-20"})
    assert early.status_code == 400 and "ended_on" in early.json()
    assert ProgrammeEvent.objects.get().ended_on is None
    done = clinician.post(url, {"ended_on": "2025-04-20"})
    assert done.status_code == 200 and done.json()["ended_on"] == "2025-04-20"


def test_a_path_on_another_organisations_case_is_refused(cast, person_a, host, api_for):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    case_b = make_case(person=person_a, unit=cast.unit_b)
    response = api_for(cast.operator_a).post("/api/v1/paths/", internship_body(person_a, host, case=case_b.pk))
    assert response.status_code == 400 and "case" in response.json()
    assert Path.objects.count() == 0


def test_reading_a_check_and_the_gauge_is_audited(cast, hiring, api_for):
    api = api_for(cast.operator_a)
    check = hiring.follow_ups.order_by("months").first()
    assert api.get(f"/api/v1/follow-ups/{check.pk}/").json()["months"] == 1
    assert AuditEvent.objects.filter(action=Action.PATH_VIEW, object_id=str(hiring.pk), person=hiring.person).exists()
    assert api_for(cast.operator_b).get(f"/api/v1/follow-ups/{check.pk}/").status_code == 404
    assert api.get("/api/v1/activities/ceiling/", {"programme_code": "tr106"}).json()["programme_code"] == "TR106"
    assert AuditEvent.objects.filter(action=Action.AGGREGATE_VIEW).count() == 1
    with api.sending_invalid_requests():
        bad = api.get("/api/v1/activities/ceiling/", {"start": "2025-13-01"})
    assert bad.status_code == 400 and "start" in bad.json()
    assert api_for(cast.analyst).get("/api/v1/activities/ceiling/").status_code == 403
