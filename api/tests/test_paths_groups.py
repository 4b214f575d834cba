"""Training groups in the API: planning a group and its sessions, the session register, the evaluation before and
after, the end-of-group feedback report and the calendar link; another organisation's 404, read-only roles' 403,
bad input's 400 with nothing saved, audit rows. Every answer is checked against the schema (ApiClient)."""

import datetime

import pytest
from django.utils import timezone, translation

from api.tests.arrange import make_third_organisation
from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_consent, make_person
from paths import services
from paths.models import Enrolment, GroupSession, SessionAttendance, TrainingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def third(cast):
    """Organisation C: the group's Polo Lavoro, with its operator as co-conductor."""
    organisation, unit, operator, coordinator = make_third_organisation()
    return type("Third", (), {"org": organisation, "unit": unit, "operator": operator, "coordinator": coordinator})


def group_body(cast, third, **overrides):
    body = {
        "year": 2025,
        "title": "Il colloquio di lavoro",
        "topic": "Prepararsi al colloquio",
        "target": "Candidati dei Poli Lavoro",
        "partner_organisation": third.org.pk,
        "conductor": cast.operator_b.pk,
        "co_conductor": third.operator.pk,
        "place": "Via Statuto 5",
        "capacity": 2,
    }
    body.update(overrides)
    return body


@pytest.fixture
def group(cast, third):
    """Conducted by organisation B (the programme team) and C (the Polo Lavoro); A only reads the catalogue."""
    return services.group_create(
        actor=cast.coordinator_b,
        year=2025,
        title="Il colloquio di lavoro",
        topic="Prepararsi al colloquio",
        target="Candidati dei Poli Lavoro",
        partner_organisation=third.org,
        conductor=cast.operator_b,
        co_conductor=third.operator,
        place="Via Statuto 5",
        capacity=2,
    )


def session_body(day, start="10:00", end="12:00", **extra):
    return {"starts_at": f"2025-05-{day:02d}T{start}:00+02:00", "ends_at": f"2025-05-{day:02d}T{end}:00+02:00", **extra}


@pytest.fixture
def session(cast, group, api_for):
    created = api_for(cast.operator_b).post(f"/api/v1/groups/{group.pk}/sessions/", session_body(5))
    assert created.status_code == 201, created.json()
    return GroupSession.objects.get(pk=created.json()["id"])


@pytest.fixture
def from_a(cast, third, group):
    """A participant referred by A's Polo Lavoro (A is not a conducting organisation)."""
    person = make_person(registered_by=cast.org_a)
    make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
    for organisation in (cast.org_b, third.org):
        make_consent(person=person, organisation=organisation, recorded_by=cast.operator_a)
    return services.enrol(actor=cast.operator_a, group=group, person=person, referring_unit=cast.unit_a)


@pytest.fixture
def from_c(cast, third, group):
    """A participant referred by C's Polo Lavoro, which A never reaches."""
    person = make_person(registered_by=third.org)
    make_case(person=person, unit=third.unit, case_manager=third.operator)
    make_consent(person=person, organisation=cast.org_b, recorded_by=third.operator)
    return services.enrol(actor=third.operator, group=group, person=person, referring_unit=third.unit)


def _aware(day, hour):
    return timezone.make_aware(datetime.datetime(2025, 5, day, hour))


def group_saves() -> int:
    return AuditEvent.objects.filter(action=Action.GROUP_SAVE).count()


# ---------------------------------------------------------------------------------------------- planning


def test_a_coordinator_plans_a_group_and_its_sessions(cast, third, api_for, client_for):
    api = api_for(cast.coordinator_b)
    created = api.post("/api/v1/groups/", group_body(cast, third))
    assert created.status_code == 201, created.json()
    body = created.json()
    group = TrainingGroup.objects.get(pk=body["id"])
    assert (body["organisation"], body["partner_organisation"], body["conductor"], body["co_conductor"]) == (
        cast.org_b.pk,
        third.org.pk,
        cast.operator_b.pk,
        third.operator.pk,
    )
    assert (body["status"], body["enrolled"], body["sessions"]) == ("planned", 0, [])
    assert AuditEvent.objects.filter(action=Action.GROUP_SAVE, object_id=str(group.pk)).exists()

    # The Polo Lavoro's conductor adds the sessions and moves one.
    conductor = api_for(third.operator)
    first = conductor.post(f"/api/v1/groups/{group.pk}/sessions/", session_body(12, subject="Il curriculum"))
    second = conductor.post(f"/api/v1/groups/{group.pk}/sessions/", session_body(5))
    assert first.status_code == second.status_code == 201, second.json()
    moved = conductor.patch(f"/api/v1/group-sessions/{first.json()['id']}/", {"starts_at": "2025-05-19T09:00:00+02:00"})
    assert moved.status_code == 400 and "ends_at" in moved.json()  # it would end before it starts
    moved = conductor.patch(f"/api/v1/group-sessions/{first.json()['id']}/", session_body(19, "09:00", "11:00"))
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["subject"], moved.json()["starts_at"][:10]) == ("Il curriculum", "2025-05-19")

    # Details and status change; the group's page reads the same.
    changed = api.patch(f"/api/v1/groups/{group.pk}/", {"title": "Il colloquio", "capacity": 12, "status": "open"})
    assert changed.status_code == 200, changed.json()
    detail = api_for(cast.operator_a).get(f"/api/v1/groups/{group.pk}/").json()  # the catalogue is the network's
    assert (detail["title"], detail["capacity"], detail["status"]) == ("Il colloquio", 12, "open")
    assert [s["starts_at"][:10] for s in detail["sessions"]] == ["2025-05-05", "2025-05-19"]
    saves = AuditEvent.objects.filter(action=Action.GROUP_SAVE, object_id=str(group.pk))
    assert any(e.detail.get("fields") == ["capacity", "title"] for e in saves)
    assert any(e.detail.get("status") == "open" for e in saves)

    # The calendar link is the page's iCalendar file, with both sessions.
    assert detail["calendar"].endswith(f"/paths/groups/{group.pk}/calendar.ics")
    calendar = client_for(cast.operator_a).get(detail["calendar"])
    assert calendar.status_code == 200 and calendar["Content-Type"].startswith("text/calendar")
    assert calendar.content.decode().count("BEGIN:VEVENT") == 2


def test_planning_needs_a_coordinator_and_changes_need_a_conducting_organisation(cast, third, group, api_for):
    before = TrainingGroup.objects.count()
    for user in (cast.operator_b, cast.peer_a, cast.analyst, cast.company_referent):
        refused = api_for(user).post("/api/v1/groups/", group_body(cast, third))
        assert refused.status_code == 403, (user, refused.json())
    assert TrainingGroup.objects.count() == before
    # A reads the catalogue but does not conduct the group: its changes are a 404, as on the pages.
    operator_a = api_for(cast.operator_a)
    assert operator_a.get(f"/api/v1/groups/{group.pk}/").status_code == 200
    assert operator_a.patch(f"/api/v1/groups/{group.pk}/", {"title": "Mio"}).status_code == 404
    assert operator_a.post(f"/api/v1/groups/{group.pk}/sessions/", session_body(5)).status_code == 404
    session = services.session_add(
        actor=cast.operator_b,
        group=group,
        starts_at=_aware(5, 10),
        ends_at=_aware(5, 12),
    )
    assert operator_a.get(f"/api/v1/group-sessions/{session.pk}/").status_code == 200
    assert operator_a.patch(f"/api/v1/group-sessions/{session.pk}/", session_body(6)).status_code == 404
    # A read-only role is refused before any lookup.
    assert api_for(cast.peer_a).patch(f"/api/v1/groups/{group.pk}/", {"title": "Mio"}).status_code == 403
    assert api_for(cast.analyst).get(f"/api/v1/groups/{group.pk}/").status_code == 404
    group.refresh_from_db()
    session.refresh_from_db()
    assert group.title == "Il colloquio di lavoro" and session.starts_at == _aware(5, 10)


def test_bad_planning_input_is_a_400_and_saves_nothing(cast, third, group, from_a, from_c, api_for):
    api = api_for(cast.coordinator_b)
    groups, saves = TrainingGroup.objects.count(), group_saves()
    bad_groups = [
        ({"partner_organisation": cast.org_b.pk}, "partner_organisation"),  # the two conductors' organisations
        ({"conductor": third.operator.pk, "co_conductor": cast.operator_b.pk}, "conductor"),  # swapped
        ({"co_conductor": cast.operator_a.pk}, "co_conductor"),  # not of the partner organisation
        ({"capacity": 0}, "capacity"),
        ({"title": ""}, "title"),
        ({"partner_organisation": cast.company.pk}, "partner_organisation"),  # not a care service
        ({"conductor": 999999}, "conductor"),
    ]
    with translation.override("en"):
        with api.sending_invalid_requests():  # capacity 0 and an empty title break the schema too
            for overrides, field in bad_groups:
                refused = api.post("/api/v1/groups/", group_body(cast, third, **overrides))
                assert refused.status_code == 400 and field in refused.json(), (overrides, refused.json())
            refused = api.post("/api/v1/groups/", {"year": "next", "capacity": "many"})
        assert refused.status_code == 400 and {"year", "capacity", "title"} <= set(refused.json())

        sessions = GroupSession.objects.count()
        url = f"/api/v1/groups/{group.pk}/sessions/"
        ends_first = api.post(url, session_body(5, "12:00", "10:00"))
        assert ends_first.status_code == 400 and "ends_at" in ends_first.json()
        next_year = api.post(url, {"starts_at": "2026-01-10T10:00:00+01:00", "ends_at": "2026-01-10T12:00:00+01:00"})
        assert next_year.status_code == 400 and "starts_at" in next_year.json()
        assert GroupSession.objects.count() == sessions

        # Two are enrolled: the capacity cannot go below; a wrong status is refused before anything changes.
        below = api.patch(f"/api/v1/groups/{group.pk}/", {"capacity": 1, "title": "Nuovo"}, HTTP_ACCEPT_LANGUAGE="en")
        assert below.status_code == 400 and "2 persons are enrolled" in below.json()["capacity"][0]
        with api.sending_invalid_requests():
            wrong = api.patch(f"/api/v1/groups/{group.pk}/", {"title": "Nuovo", "status": "finished"})
        assert wrong.status_code == 400 and "status" in wrong.json()
        same = api.patch(f"/api/v1/groups/{group.pk}/", {"title": "Nuovo", "co_conductor": cast.operator_b.pk})
        assert same.status_code == 400 and "co_conductor" in same.json()
    group.refresh_from_db()
    assert (group.title, group.capacity, group.co_conductor) == ("Il colloquio di lavoro", 2, third.operator)
    assert (TrainingGroup.objects.count(), group_saves()) == (groups, saves)


# ---------------------------------------------------------------------------------------------- register


def test_the_conductors_keep_the_session_register(cast, third, group, session, from_a, from_c, api_for):
    url = f"/api/v1/group-sessions/{session.pk}/register/"
    conductor = api_for(cast.operator_b)
    views = AuditEvent.objects.filter(action=Action.PATH_VIEW).count()
    empty = conductor.get(url)
    assert empty.status_code == 200, empty.json()
    assert [(row["enrolment"], row["present"]) for row in empty.json()["participants"]] == [
        (from_a.pk, None),
        (from_c.pk, None),
    ]
    assert AuditEvent.objects.filter(action=Action.PATH_VIEW).count() == views + 2
    assert AuditEvent.objects.filter(action=Action.PATH_VIEW, person=from_a.person).exists()

    kept = conductor.post(url, {"present": [from_c.pk]})
    assert kept.status_code == 200, kept.json()
    assert {row["enrolment"]: row["present"] for row in kept.json()["participants"]} == {
        from_a.pk: False,
        from_c.pk: True,
    }
    assert set(SessionAttendance.objects.values_list("enrolment_id", "present")) == {
        (from_a.pk, False),
        (from_c.pk, True),
    }
    register_save = AuditEvent.objects.filter(action=Action.GROUP_SAVE, object_id=str(group.pk)).latest("pk")
    assert register_save.detail == {"register": session.pk, "present": 1}
    # The other conducting organisation reads what was kept.
    assert [row["present"] for row in api_for(third.operator).get(url).json()["participants"]] == [False, True]


def test_the_register_is_the_conducting_teams_only(cast, third, group, session, from_a, api_for):
    url = f"/api/v1/group-sessions/{session.pk}/register/"
    # A referred a participant but does not conduct the group: the register is not its (404, as on the page).
    assert api_for(cast.operator_a).get(url).status_code == 404
    assert api_for(cast.operator_a).post(url, {"present": [from_a.pk]}).status_code == 404
    assert api_for(cast.peer_a).post(url, {"present": [from_a.pk]}).status_code == 403
    assert api_for(cast.analyst).get(url).status_code == 404
    assert api_for(cast.operator_b).get("/api/v1/group-sessions/999999/register/").status_code == 404
    assert not SessionAttendance.objects.exists()


def test_a_bad_register_is_a_400_and_saves_nothing(cast, third, group, session, from_a, api_for):
    url = f"/api/v1/group-sessions/{session.pk}/register/"
    conductor = api_for(cast.operator_b)
    # Fill the group: the third person waits, and a waiting person is not on the register.
    services.group_update(actor=cast.operator_b, group=group, capacity=1)
    person = make_person(registered_by=cast.org_a)
    make_case(person=person, unit=cast.unit_a)
    for organisation in (cast.org_b, third.org):
        make_consent(person=person, organisation=organisation, recorded_by=cast.operator_a)
    waiting = services.enrol(actor=cast.operator_a, group=group, person=person, referring_unit=cast.unit_a)
    assert waiting.status == "waiting"
    saves = group_saves()
    with translation.override("en"):
        for present in ([from_a.pk, waiting.pk], [from_a.pk, 999999]):
            refused = conductor.post(url, {"present": present}, HTTP_ACCEPT_LANGUAGE="en")
            assert refused.status_code == 400, refused.json()
            assert "Not enrolled participants" in refused.json()["present"][0]
        with conductor.sending_invalid_requests():
            assert conductor.post(url, {"present": "all"}).status_code == 400
            assert conductor.post(url, {}).status_code == 400
    assert not SessionAttendance.objects.exists()
    assert group_saves() == saves


# ---------------------------------------------------------------------------------------------- evaluation


def test_the_conductors_evaluate_and_the_referring_team_reads_the_report(cast, third, group, session, from_a, api_for):
    later = services.session_add(actor=cast.operator_b, group=group, starts_at=_aware(20, 10), ends_at=_aware(20, 12))
    services.register_record(actor=cast.operator_b, session=session, present={from_a.pk})
    services.register_record(actor=cast.operator_b, session=later, present=set())
    conductor = api_for(third.operator)
    url = f"/api/v1/enrolments/{from_a.pk}/evaluation/"
    before = conductor.post(url, {"score_before": 2, "conductors_note": "Timida all'inizio."})
    assert before.status_code == 200, before.json()
    assert (before.json()["score_before"], before.json()["score_after"], before.json()["change"]) == (2, None, None)
    after = conductor.post(url, {"score_after": 4})  # what is omitted stays
    assert after.status_code == 200, after.json()
    saves = AuditEvent.objects.filter(action=Action.GROUP_SAVE, object_id=str(from_a.pk), person=from_a.person)
    assert saves.filter(detail__evaluation=True).count() == 2

    referring = api_for(cast.operator_a)
    views = AuditEvent.objects.filter(action=Action.PATH_VIEW, person=from_a.person).count()
    report = referring.get(f"/api/v1/enrolments/{from_a.pk}/feedback/")
    assert report.status_code == 200, report.json()
    body = report.json()
    assert (body["sessions"], body["attended"], body["absent"], body["attendance_percent"]) == (2, 1, 1, 50)
    assert (body["score_before"], body["score_after"], body["change"]) == (2, 4, 2)
    assert body["conductors_note"] == "Timida all'inizio."
    assert body["referring_unit"] == cast.unit_a.pk and body["group"] == group.pk
    assert body["conductors"] == [str(cast.operator_b), str(third.operator)]
    feedback_views = AuditEvent.objects.filter(action=Action.PATH_VIEW, person=from_a.person)
    assert feedback_views.count() == views + 1 and feedback_views.latest("pk").detail == {"feedback": True}
    # The peer support expert of the referring team reads it too.
    assert api_for(cast.peer_a).get(f"/api/v1/enrolments/{from_a.pk}/feedback/").status_code == 200

    cleared = conductor.post(url, {"score_before": None})
    assert cleared.status_code == 200 and cleared.json()["change"] is None


def test_only_the_conductors_evaluate(cast, third, group, from_a, from_c, api_for):
    url = f"/api/v1/enrolments/{from_a.pk}/evaluation/"
    # The referring team reads the report but does not evaluate: 403; a read-only role: 403.
    assert api_for(cast.operator_a).post(url, {"score_before": 3}).status_code == 403
    assert api_for(cast.peer_a).post(url, {"score_before": 3}).status_code == 403
    # A's team never reaches C's participant: 404 for the report and the evaluation alike.
    assert api_for(cast.operator_a).get(f"/api/v1/enrolments/{from_c.pk}/feedback/").status_code == 404
    assert api_for(cast.operator_a).post(f"/api/v1/enrolments/{from_c.pk}/evaluation/", {}).status_code == 404
    assert api_for(cast.analyst).get(f"/api/v1/enrolments/{from_a.pk}/feedback/").status_code == 404
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).exists()
    assert Enrolment.objects.filter(score_before__isnull=False).count() == 0


def test_a_bad_evaluation_is_a_400_and_saves_nothing(cast, third, group, from_a, api_for):
    conductor = api_for(cast.operator_b)
    url = f"/api/v1/enrolments/{from_a.pk}/evaluation/"
    assert conductor.post(url, {"score_before": 3, "conductors_note": "Bene."}).status_code == 200
    saves = group_saves()
    with conductor.sending_invalid_requests():
        for body in ({"score_before": 6, "conductors_note": "Altro."}, {"score_after": 0}, {"score_after": "good"}):
            refused = conductor.post(url, body)
            assert refused.status_code == 400 and set(refused.json()) & {"score_before", "score_after"}, body
    from_a.refresh_from_db()
    assert (from_a.score_before, from_a.score_after, from_a.conductors_note) == (3, None, "Bene.")
    assert group_saves() == saves
