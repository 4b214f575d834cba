"""The regional activity-flow file through the API: the page's file for coordinators, checked against its layout
before it is written; 403 for the other roles, 400 for a bad period or a row at fault (no file, no audit row)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_person
from paths import flow, services
from paths.choices import ActivityKind

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/export/"
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
HEADER = "COD_PROGRAMMA;COD_STRUTTURA;COD_PSEUDONIMO;RICONDUCIBILE;DATA;TIPO_PRESTAZIONE;DURATA_MIN;PROFILO_OPERATORE"


@pytest.fixture
def activities(cast, person_a):
    """Org A: two activities for person_a and one not attributable in May 2025, one in 2024, one of another
    programme; org B: one of its own."""
    day = datetime.date(2025, 5, 5)
    for _ in range(2):
        services.activity_record(
            actor=cast.operator_a,
            performed_on=day,
            minutes=60,
            kind=ActivityKind.INTERVIEW,
            person=person_a,
            profession="educator",
        )
    services.activity_record(
        actor=cast.operator_a,
        performed_on=day,
        minutes=30,
        kind=ActivityKind.NETWORK_MEETING,
        profession="educator",
        accept_over_ceiling=True,
    )
    services.activity_record(
        actor=cast.operator_a, performed_on=datetime.date(2024, 12, 31), minutes=45, kind="coaching", person=person_a
    )
    services.activity_record(
        actor=cast.operator_a, performed_on=day, minutes=45, kind="coaching", person=person_a, programme_code="TR77"
    )
    person_b = make_person(registered_by=cast.org_b)
    make_case(person=person_b, unit=cast.unit_b)
    services.activity_record(actor=cast.operator_b, performed_on=day, minutes=50, kind="coaching", person=person_b)


def exports() -> int:
    return AuditEvent.objects.filter(action=Action.EXPORT).count()


def test_a_coordinator_downloads_the_page_file(cast, person_a, activities, api_for, client_for):
    response = api_for(cast.coordinator_a).get(URL, PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="attivita-TR106-2025-01-01-2025-12-31.csv"'
    text = response.content.decode()
    lines = text.split("\r\n")
    assert lines[0] == HEADER and lines[-1] == ""  # CRLF after every line
    code = flow.person_code(person_a.pk)
    organisation_code = cast.org_a.tax_code or str(cast.org_a.pk)
    assert sorted(lines[1:-1]) == sorted(
        [
            f"TR106;{organisation_code};{code};S;2025-05-05;interview;60;educator",
            f"TR106;{organisation_code};{code};S;2025-05-05;interview;60;educator",
            f"TR106;{organisation_code};;N;2025-05-05;network_meeting;30;educator",
        ]
    )  # not 2024's, not TR77's, not organisation B's
    assert person_a.fiscal_code not in text and person_a.last_name not in text
    event = AuditEvent.objects.get(action=Action.EXPORT, actor=cast.coordinator_a)
    assert (event.detail["what"], event.detail["rows"], event.detail["programme"]) == ("activity_flow", 3, "TR106")
    # The same file as the page's.
    page = client_for(cast.coordinator_a).get(reverse("paths:activity_export"), PERIOD)
    assert page.status_code == 200 and page.content == response.content


def test_another_programme_and_a_client_asking_for_csv(cast, person_a, activities, api_for):
    api = api_for(cast.coordinator_a)
    response = api.get(URL, {**PERIOD, "programme_code": "tr77"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200, response.content
    lines = response.content.decode().split("\r\n")[1:-1]
    assert len(lines) == 1 and lines[0].startswith("TR77;") and ";coaching;45;" in lines[0]
    # Organisation B's coordinator gets B's activity only.
    other = api_for(cast.coordinator_b).get(URL, PERIOD).content.decode().split("\r\n")[1:-1]
    assert len(other) == 1 and ";coaching;50;" in other[0]


def test_only_coordinators_export(cast, activities, api_for):
    for user in (cast.operator_a, cast.clinician_a, cast.peer_a, cast.analyst, cast.company_referent, cast.sysadmin):
        refused = api_for(user).get(URL, PERIOD)
        assert refused.status_code == 403, user
        assert refused["Content-Type"] == "application/json"
    assert exports() == 0


def test_a_bad_period_is_a_400(cast, activities, api_for):
    api = api_for(cast.coordinator_a)
    with translation.override("en"):
        reversed_period = api.get(URL, {"start": "2025-12-31", "end": "2025-01-01"}, HTTP_ACCEPT_LANGUAGE="en")
        assert reversed_period.status_code == 400
        assert reversed_period.json() == {"end": ["The end comes before the start."]}
        with api.sending_invalid_requests():
            bad_date = api.get(URL, {"start": "31/12/2025"})
            assert bad_date.status_code == 400 and "start" in bad_date.json()
            long_code = api.get(URL, {"programme_code": "X" * 21})
            assert long_code.status_code == 400 and "programme_code" in long_code.json()
    assert exports() == 0


def test_a_row_at_fault_stops_the_export(cast, activities, api_for, settings):
    settings.PONTE_ACTIVITY_FLOW_LAYOUT = [
        {"name": "COD_PSEUDONIMO", "source": "person_code", "required": True, "max_length": 16},
        {"name": "DURATA_MIN", "source": "minutes", "required": True, "max_length": 2},
    ]
    with translation.override("en"):
        refused = api_for(cast.coordinator_a).get(URL, PERIOD, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    errors = refused.json()["non_field_errors"]
    # Lines 2 and 3 (60 minutes) fit; the non-attributable row lacks the pseudonym; the file is in date order.
    assert any("COD_PSEUDONIMO is required." in e for e in errors)
    assert sum("DURATA_MIN" in e for e in errors) == 0
    assert all(e.startswith("Line ") for e in errors) and len(errors) == 1
    assert exports() == 0
    # A layout every row satisfies gives its file.
    settings.PONTE_ACTIVITY_FLOW_LAYOUT = [{"name": "DATA", "source": "date", "max_length": 10}]
    response = api_for(cast.coordinator_a).get(URL, PERIOD)
    assert response.status_code == 200 and response.content.decode().split("\r\n")[:2] == ["DATA", "2025-05-05"]
    assert exports() == 1
