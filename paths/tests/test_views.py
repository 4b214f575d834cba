"""The paths pages: the flow from an accepted proposal to a hiring, 404s for others, the gauge, the export, groups."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_consent, make_person
from opportunities.models import Opportunity, Proposal
from paths import flow, services
from paths.choices import ActivityKind, EventKind, PathKind, PathStatus
from paths.models import Activity, Enrolment, GroupSession, Path
from paths.tests.conftest import internship_fields, make_host

D = Decimal


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def accepted_proposal(cast, person, host):
    opportunity = Opportunity.objects.create(
        organisation=cast.org_a,
        employer=host.employer_profile,
        kind="internship",
        title="Addetto al magazzino",
        hours_per_week=30,
        status="open",
    )
    proposal = Proposal(
        opportunity=opportunity,
        person=person,
        organisation=cast.org_a,
        proposed_by=cast.operator_a,
        proposed_on=datetime.date(2026, 8, 1),
        candidate_decision="yes",
        employer_decision="yes",
    )
    proposal.refresh_status()
    proposal.save()
    assert proposal.status == "accepted"
    return proposal


# ---------------------------------------------------------------------------------------------- the flow


def test_from_an_accepted_proposal_to_a_hiring_and_its_follow_up(cast, person_a, host, client_for):
    proposal = accepted_proposal(cast, person_a, host)
    client = client_for(cast.operator_a)
    record = client.get(reverse("people:detail", args=[person_a.pk])).content.decode()
    assert reverse("paths:person", args=[person_a.pk]) in record

    url = reverse("paths:create", args=[person_a.pk]) + f"?proposal={proposal.pk}"
    form = client.get(url).content.decode()
    assert "Addetto al magazzino" in form and 'value="internship" selected' in form
    start = datetime.date(2026, 9, 1)
    response = client.post(
        url,
        {
            "proposal": proposal.pk,
            "kind": "internship",
            "case": person_a.cases.get().pk,
            "host": host.pk,
            "title": "Addetto al magazzino",
            "starts_on": start.isoformat(),
            "planned_end_on": "2027-02-28",
            "hours_per_week": "30",
            "days_per_week": "5",
            "host_tutor": "Sig.ra Verdi",
            "service_tutor": cast.operator_a.pk,
            "beneficiary_category": "disadvantaged",
            "monthly_indemnity": "500",
        },
    )
    internship = Path.objects.get()
    assert response.status_code == 302 and internship.proposal == proposal and internship.opportunity_id
    detail = reverse("paths:detail", args=[internship.pk])
    response = client.post(
        reverse("paths:transition", args=[internship.pk]),
        {"to_status": "active", "on": start.isoformat(), "version": 1},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("paths:attendance", args=[internship.pk]),
        {"month": "2026-10", "planned_hours": "120", "attended_hours": "90"},
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "€375.00" in page  # 75% attendance: pro rata of €500
    response = client.post(
        reverse("paths:convert", args=[internship.pk]),
        {"kind": "hiring_fixed", "starts_on": timezone.localdate().isoformat(), "version": 2},
    )
    hiring = Path.objects.get(previous=internship)
    assert response.status_code == 302 and response.url == reverse("paths:detail", args=[hiring.pk])
    page = client.get(response.url).content.decode()
    assert page.count('data-testid="follow-up"') == 4
    timeline = client.get(reverse("paths:person", args=[person_a.pk])).content.decode()
    assert timeline.count('data-testid="path-row"') == 2 and "Converted to a hiring" in timeline
    assert AuditEvent.objects.filter(action=Action.PATH_VIEW, person_id=person_a.pk).exists()


def test_an_invalid_internship_shows_the_rule_on_its_field(cast, person_a, host, client_for):
    response = client_for(cast.operator_a).post(
        reverse("paths:create", args=[person_a.pk]),
        {
            "kind": "internship",
            "host": host.pk,
            "starts_on": "2026-01-01",
            "planned_end_on": "2027-06-30",
            "hours_per_week": "30",
            "days_per_week": "5",
            "beneficiary_category": "standard",
            "monthly_indemnity": "450",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and not Path.objects.exists()
    assert "at most 6 months: it must end by 30/06/2026" in text
    assert "at least €500.00 gross" in text


def test_a_refused_transition_is_explained(cast, internship, client_for):
    response = client_for(cast.operator_a).post(
        reverse("paths:transition", args=[internship.pk]), {"to_status": "interrupted", "version": 1}
    )
    assert response.status_code == 400 and "Say why the path was interrupted." in response.content.decode()
    response = client_for(cast.operator_a).post(
        reverse("paths:transition", args=[internship.pk]), {"to_status": "active", "version": 7}
    )
    assert response.status_code == 409 and 'data-testid="stale"' in response.content.decode()


# ---------------------------------------------------------------------------------------------- another organisation


@pytest.fixture
def everything(cast, person_a, internship):
    """One of each row of organisation A: a hiring with follow-ups, an event, a group with an enrolment."""
    services.path_transition(actor=cast.operator_a, path=internship, to_status=PathStatus.ACTIVE)
    hiring = services.path_convert_to_hiring(
        actor=cast.operator_a, path=internship, kind=PathKind.HIRING_OPEN_ENDED, starts_on=datetime.date(2025, 6, 1)
    )
    group = services.group_create(
        actor=cast.coordinator_a,
        year=2026,
        title="Gruppo A",
        topic="T",
        target="T",
        partner_organisation=cast.org_b,
        conductor=cast.operator_a,
        co_conductor=cast.operator_b,
        place="Sacco",
        capacity=5,
    )
    session = services.session_add(
        actor=cast.operator_a,
        group=group,
        starts_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 10)),
        ends_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 12)),
    )
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    enrolment = services.enrol(actor=cast.operator_a, group=group, person=person_a, referring_unit=cast.unit_a)
    return {"internship": internship, "hiring": hiring, "group": group, "session": session, "enrolment": enrolment}


def test_another_organisations_paths_are_404_on_every_url(cast, person_a, everything, client_for):
    hiring, internship = everything["hiring"], everything["internship"]
    follow_up = hiring.follow_ups.first()
    client = client_for(cast.operator_b)
    gets = [
        reverse("paths:person", args=[person_a.pk]),
        reverse("paths:create", args=[person_a.pk]),
        reverse("paths:detail", args=[hiring.pk]),
        reverse("paths:detail", args=[internship.pk]),
    ]
    posts = [
        (reverse("paths:create", args=[person_a.pk]), internship_fields(make_host("Altro", employees=50))),
        (reverse("paths:transition", args=[hiring.pk]), {"to_status": "suspended", "version": hiring.version}),
        (reverse("paths:convert", args=[internship.pk]), {"kind": "hiring_open", "starts_on": "2025-06-01"}),
        (
            reverse("paths:attendance", args=[internship.pk]),
            {"month": "2025-04", "planned_hours": 1, "attended_hours": 1},
        ),
        (reverse("paths:follow_up", args=[follow_up.pk]), {f"fu{follow_up.pk}-outcome": "stable"}),
        (reverse("paths:event_create", args=[person_a.pk]), {"kind": "drop_out", "occurred_on": "2025-07-01"}),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    hiring.refresh_from_db()
    follow_up.refresh_from_db()
    assert hiring.status == PathStatus.ACTIVE and follow_up.done_on is None
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=cast.operator_b).exists()


def test_group_rows_of_others_are_404(cast, everything, client_for):
    """A conducting organisation's group is changed only by the two conductors' organisations."""
    from accounts.choices import OrganisationKind, Role, UnitKind
    from accounts.models import Organisation, Unit
    from core.testing.cast import make_user

    org_c = Organisation.objects.create(name="ASST Santi Paolo e Carlo", kind=OrganisationKind.ASST)
    unit_c = Unit.objects.create(organisation=org_c, name="Polo Lavoro San Paolo", kind=UnitKind.POLO_LAVORO)
    operator_c = make_user("operator_c", unit_c, Role.OPERATOR)
    group, session, enrolment = everything["group"], everything["session"], everything["enrolment"]
    client = client_for(operator_c)
    assert client.get(reverse("paths:group", args=[group.pk])).status_code == 200  # the catalogue is shared
    assert "Rossi" not in client.get(reverse("paths:group", args=[group.pk])).content.decode()
    for url in (reverse("paths:register", args=[session.pk]), reverse("paths:feedback", args=[enrolment.pk])):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("paths:register", args=[session.pk]),
        reverse("paths:feedback", args=[enrolment.pk]),
        reverse("paths:withdraw", args=[enrolment.pk]),
        reverse("paths:session_add", args=[group.pk]),
        reverse("paths:group_status", args=[group.pk]),
    ):
        assert client.post(url, {"status": "closed", "present": [enrolment.pk]}).status_code == 404, url


def test_roles_without_person_access_find_no_page(cast, person_a, everything, client_for):
    for user in (cast.analyst, cast.company_referent, cast.sysadmin):
        client = client_for(user)
        for url in (
            reverse("paths:person", args=[person_a.pk]),
            reverse("paths:detail", args=[everything["hiring"].pk]),
            reverse("paths:agenda"),
            reverse("paths:activities"),
            reverse("paths:activity_report"),
            reverse("paths:groups"),
        ):
            assert client.get(url).status_code == 404, (user, url)
    assert client_for(cast.analyst).get(reverse("paths:outcomes")).status_code == 200


# ---------------------------------------------------------------------------------------------- events


def test_a_hospitalisation_is_shown_to_the_treating_clinician_only(cast, person_a, internship, client_for):
    services.event_record(
        actor=cast.clinician_a,
        person=person_a,
        kind=EventKind.HOSPITALISATION,
        path=internship,
        occurred_on=datetime.date(2025, 4, 1),
        ended_on=datetime.date(2025, 4, 12),
    )
    url = reverse("paths:person", args=[person_a.pk])
    assert "Hospitalisation for psychic decompensation" in client_for(cast.clinician_a).get(url).content.decode()
    text = client_for(cast.operator_a).get(url).content.decode()
    assert 'data-testid="event-row"' not in text and "Hospitalisation for psychic" not in text.split("event-form")[0]
    detail = client_for(cast.operator_a).get(reverse("paths:detail", args=[internship.pk])).content.decode()
    assert "Hospitalisation" not in detail
    outcomes = client_for(cast.coordinator_a).get(reverse("paths:outcomes") + "?start=2025-01-01").content.decode()
    assert "fewer than 5" in outcomes


def test_an_operator_records_a_drop_out_from_the_page(cast, person_a, internship, client_for):
    response = client_for(cast.operator_a).post(
        reverse("paths:event_create", args=[person_a.pk]), {"kind": "drop_out", "occurred_on": "2025-06-01"}
    )
    assert response.status_code == 302
    assert person_a.cases.get().closing_reason == "drop_out"
    response = client_for(cast.operator_a).post(
        reverse("paths:event_create", args=[person_a.pk]), {"kind": "hospitalisation", "occurred_on": "2025-06-01"}
    )
    assert response.status_code == 400  # not a clinical role: the choice is not offered


# ---------------------------------------------------------------------------------------------- follow-up agenda


def _hiring_for(cast, n):
    person = make_person(registered_by=cast.org_a)
    case = make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
    path = services.path_create(
        actor=cast.operator_a,
        person=person,
        case=case,
        kind=PathKind.HIRING_OPEN_ENDED,
        host=make_host(f"Azienda {n}", employees=None),
        starts_on=datetime.date(2026, 1, 5),
    )
    return services.path_transition(actor=cast.operator_a, path=path, to_status=PathStatus.ACTIVE)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_agenda_lists_due_and_overdue_checks_in_constant_queries(cast, client_for):
    _hiring_for(cast, 1)
    client = client_for(cast.operator_a)
    url = reverse("paths:agenda")
    first = _count_queries(client, url)
    for n in range(2, 5):
        _hiring_for(cast, n)
    assert _count_queries(client, url) == first
    text = client.get(url).content.decode()
    # Today is after every 1-, 3- and 6-month mark of a January 2026 hiring only if the clock says so: compute it.
    today = timezone.localdate()
    overdue = sum(1 for m in (1, 3, 6, 12) if services.rules_mod.add_months(datetime.date(2026, 1, 5), m) < today)
    assert text.count('class="table-danger"') == 4 * overdue
    assert client_for(cast.operator_b).get(url).content.decode().count('data-testid="agenda-row"') == 0


def test_the_person_paths_page_in_constant_queries(cast, person_a, case_a, client_for):
    client = client_for(cast.operator_a)
    url = reverse("paths:person", args=[person_a.pk])

    def add(n):
        services.path_create(
            actor=cast.operator_a,
            person=person_a,
            case=case_a,
            kind=PathKind.COURSE,
            host=make_host(f"Ente {n}", employees=None),
            starts_on=datetime.date(2024, 1, n),
        )

    add(1)
    first = _count_queries(client, url)
    for n in range(2, 6):
        add(n)
    assert _count_queries(client, url) == first


# ---------------------------------------------------------------------------------------------- activities


def _bulk_activities(cast, person, *, attributable, non, day=None):
    day = day or timezone.localdate()
    rows = [
        Activity(
            organisation=cast.org_a,
            operator=cast.operator_a,
            profession="educator",
            performed_on=day,
            minutes=60,
            kind=ActivityKind.INTERVIEW,
            person=person,
        )
        for _ in range(attributable)
    ] + [
        Activity(
            organisation=cast.org_a,
            operator=cast.operator_a,
            profession="educator",
            performed_on=day,
            minutes=30,
            kind=ActivityKind.NETWORK_MEETING,
        )
        for _ in range(non)
    ]
    Activity.objects.bulk_create(rows)


def test_quick_entry_warns_before_the_ceiling_is_crossed(cast, person_a, client_for):
    _bulk_activities(cast, person_a, attributable=8, non=2)
    client = client_for(cast.operator_a)
    data = {
        "performed_on": timezone.localdate().isoformat(),
        "minutes": "60",
        "kind": "network_meeting",
        "profession": "educator",
        "programme_code": "TR106",
    }
    response = client.post(reverse("paths:activities"), data)
    text = response.content.decode()
    assert response.status_code == 400 and 'data-testid="ceiling-warning"' in text
    assert 'type="checkbox" name="accept_over_ceiling"' in text and Activity.objects.count() == 10
    response = client.post(reverse("paths:activities"), {**data, "accept_over_ceiling": "on"})
    assert response.status_code == 302 and Activity.objects.count() == 11
    page = client.get(reverse("paths:activities")).content.decode()
    assert 'data-state="over"' in page and "4 more attributable activities would bring it back"  # 3 / 15 = 20% in page
    response = client.post(reverse("paths:activities"), {**data, "person": person_a.pk, "kind": "coaching"})
    assert response.status_code == 302 and Activity.objects.filter(person=person_a).count() == 9


def test_the_report_and_the_log_in_constant_queries(cast, person_a, client_for):
    client = client_for(cast.coordinator_a)
    _bulk_activities(cast, person_a, attributable=3, non=1)
    report = reverse("paths:activity_report")
    first = _count_queries(client, report)
    _bulk_activities(cast, person_a, attributable=30, non=5)
    assert _count_queries(client, report) == first
    log = reverse("paths:activities")
    operator = client_for(cast.operator_a)
    first = _count_queries(operator, log)
    _bulk_activities(cast, person_a, attributable=10, non=1)
    assert _count_queries(operator, log) == first


def test_the_export_is_checked_against_its_layout(cast, person_a, client_for, settings):
    _bulk_activities(cast, person_a, attributable=2, non=1, day=datetime.date(2025, 5, 5))
    url = reverse("paths:activity_export") + "?start=2025-01-01&end=2025-12-31"
    assert client_for(cast.operator_a).get(url).status_code == 404  # coordinators send the file
    response = client_for(cast.coordinator_a).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().split("\r\n")
    assert (
        lines[0]
        == "COD_PROGRAMMA;COD_STRUTTURA;COD_PSEUDONIMO;RICONDUCIBILE;DATA;TIPO_PRESTAZIONE;DURATA_MIN;PROFILO_OPERATORE"
    )
    assert len(lines) == 4
    code = flow.person_code(person_a.pk)
    assert sum(1 for line in lines if f";{code};S;2025-05-05;interview;60;educator" in line) == 2
    assert any(";;N;2025-05-05;network_meeting;30;" in line for line in lines)
    assert "Rossi" not in response.content.decode() and person_a.fiscal_code not in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=cast.coordinator_a).count() == 1
    # A layout the data cannot satisfy stops the export with the line and the column.
    settings.PONTE_ACTIVITY_FLOW_LAYOUT = [
        {"name": "COD_PSEUDONIMO", "source": "person_code", "required": True, "max_length": 16},
    ]
    response = client_for(cast.coordinator_a).get(url, follow=True)
    assert response.redirect_chain and "COD_PSEUDONIMO is required." in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1


def test_row_errors_cover_length_and_pattern():
    row = {
        "programme_code": "tr-106",
        "minutes": "1000",
        "attributable": "S",
        "date": "2025-01-01",
        "kind": "interview",
        "profession": "educator",
        "organisation_code": "X",
    }
    with translation.override("en"):
        errors = flow.row_errors(row)
    assert any("COD_PROGRAMMA has an invalid value" in e for e in errors)
    assert any("DURATA_MIN is longer than 3" in e for e in errors)
    assert not any("COD_PSEUDONIMO" in e for e in errors)  # optional for non-attributable rows


# ---------------------------------------------------------------------------------------------- groups


def test_a_group_planned_filled_run_and_reported_back(cast, client_for):
    coordinator = client_for(cast.coordinator_a)
    response = coordinator.post(
        reverse("paths:group_create"),
        {
            "year": 2026,
            "title": "Cercare lavoro online",
            "topic": "Portali e candidature",
            "target": "Candidati",
            "partner_organisation": cast.org_b.pk,
            "conductor": cast.operator_a.pk,
            "co_conductor": cast.operator_b.pk,
            "place": "Via Sassetti 32",
            "capacity": 1,
        },
    )
    assert response.status_code == 302
    group_url = response.url
    group_pk = int(re.search(r"/(\d+)/$", group_url).group(1))
    response = coordinator.post(
        reverse("paths:session_add", args=[group_pk]), {"day": "2026-10-05", "start": "14:00", "end": "16:00"}
    )
    assert response.status_code == 302
    people = []
    for _ in range(2):
        p = make_person(registered_by=cast.org_b)
        make_case(person=p, unit=cast.unit_b, case_manager=cast.operator_b)
        make_consent(person=p, organisation=cast.org_a, recorded_by=cast.operator_b)
        people.append(p)
    referrer = client_for(cast.operator_b)
    for p in people:
        response = referrer.post(
            reverse("paths:enrol", args=[group_pk]), {"person": p.pk, "referring_unit": cast.unit_b.pk}
        )
        assert response.status_code == 302
    page = referrer.get(group_url).content.decode()
    assert "On the waiting list" in page and page.count('data-testid="participant"') == 2
    session = GroupSession.objects.get(group_id=group_pk)
    enrolled = Enrolment.objects.get(group_id=group_pk, status="enrolled")
    conductor = client_for(cast.operator_a)
    assert conductor.post(reverse("paths:register", args=[session.pk]), {"present": [enrolled.pk]}).status_code == 302
    feedback = reverse("paths:feedback", args=[enrolled.pk])
    assert (
        conductor.post(feedback, {"score_before": 2, "score_after": 4, "conductors_note": "Autonomo."}).status_code
        == 302
    )
    report = referrer.get(feedback).content.decode()  # the referring team reads it
    assert "1 of 1 sessions (100%)" in report and "Autonomo." in report and "(+2)" in report
    ics = referrer.get(reverse("paths:group_calendar", args=[group_pk]))
    body = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar") and body.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Cercare lavoro online" in body and "LOCATION:Via Sassetti 32" in body
    brochure = referrer.get(reverse("paths:groups") + "?year=2026&print=1").content.decode()
    assert "Portali e candidature" in brochure


def test_the_catalogue_in_constant_queries(cast, client_for):
    def add(n):
        group = services.group_create(
            actor=cast.coordinator_a,
            year=2026,
            title=f"Gruppo {n}",
            topic="T",
            target="T",
            partner_organisation=cast.org_b,
            conductor=cast.operator_a,
            co_conductor=cast.operator_b,
            place="P",
            capacity=5,
        )
        services.session_add(
            actor=cast.operator_a,
            group=group,
            starts_at=timezone.make_aware(datetime.datetime(2026, 3, n, 10)),
            ends_at=timezone.make_aware(datetime.datetime(2026, 3, n, 12)),
        )

    client = client_for(cast.operator_b)
    url = reverse("paths:groups") + "?year=2026"
    add(1)
    first = _count_queries(client, url)
    for n in range(2, 6):
        add(n)
    assert _count_queries(client, url) == first


def test_a_check_is_recorded_from_the_path_page(cast, client_for):
    hiring = _hiring_for(cast, 1)
    follow_up = hiring.follow_ups.get(months=1)
    client = client_for(cast.operator_a)
    page = client.get(reverse("paths:detail", args=[hiring.pk])).content.decode()
    assert f'name="fu{follow_up.pk}-outcome"' in page
    response = client.post(
        reverse("paths:follow_up", args=[follow_up.pk]),
        {f"fu{follow_up.pk}-outcome": "difficulties", f"fu{follow_up.pk}-done_on": "2026-02-06", "next": "agenda"},
    )
    assert response.status_code == 302 and response.url == reverse("paths:agenda")
    follow_up.refresh_from_db()
    assert follow_up.outcome == "difficulties" and follow_up.done_by == cast.operator_a
    response = client.post(
        reverse("paths:follow_up", args=[hiring.follow_ups.get(months=3).pk]),
        {f"fu{hiring.follow_ups.get(months=3).pk}-outcome": ""},
    )
    assert response.status_code == 400
