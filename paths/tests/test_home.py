"""The home page's section of overdue job-maintenance checks (contributed by paths, ADR 0015)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.home_sections import home_sections
from core.testing.cast import make_case, make_person
from paths import services
from paths.choices import PathKind, PathStatus


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def make_hiring(cast, person, host, *, case_manager, starts_on=datetime.date(2025, 1, 10)):
    """An open-ended hiring of `person`, active since `starts_on`: its four checks are scheduled."""
    case = make_case(person=person, unit=cast.unit_a, case_manager=case_manager) if not person.cases.exists() else None
    path = services.path_create(
        actor=cast.operator_a,
        person=person,
        case=case or person.cases.get(),
        kind=PathKind.HIRING_OPEN_ENDED,
        host=host,
        starts_on=starts_on,
    )
    return services.path_transition(actor=cast.operator_a, path=path, to_status=PathStatus.ACTIVE)


def overdue_rows(html: str) -> list[str]:
    return re.findall(r'<li data-testid="overdue-follow-up">(.*?)</li>', html, re.S)


def test_paths_registers_its_home_section():
    assert "paths.overdue_follow_ups" in [s.name for s in home_sections()]


def test_an_overdue_check_shows_on_its_case_managers_home_and_not_elsewhere(cast, person_a, host, client_for):
    make_hiring(cast, person_a, host, case_manager=cast.operator_a)
    # A hiring started a month ago: its first check is due today, not overdue yet; later ones in the future.
    other = make_person(registered_by=cast.org_a, last_name="Bruni", first_name="Carla")
    make_hiring(
        cast,
        other,
        host,
        case_manager=cast.operator_a,
        starts_on=datetime.date.today() - datetime.timedelta(days=20),
    )

    with translation.override("en"):
        html = client_for(cast.operator_a).get("/").content.decode()
    assert 'data-testid="overdue-follow-ups"' in html
    assert "4 job-maintenance checks are overdue." in html  # 1, 3, 6 and 12 months after January 2025
    rows = overdue_rows(html)
    assert len(rows) == 4 and all("Rossi Maria" in row for row in rows), rows
    assert "Bruni" not in html.split('data-testid="overdue-follow-ups"')[1].split("</section>")[0]
    assert "/paths/follow-ups/" in html

    # Another organisation's operator, and a colleague who neither tutors nor manages the case, see nothing.
    for user in (cast.operator_b, cast.coordinator_b, cast.coordinator_a):
        html = client_for(user).get("/").content.decode()
        assert 'data-testid="overdue-follow-ups"' not in html, user


def test_a_check_done_leaves_the_home_page(cast, person_a, host, client_for):
    hiring = make_hiring(cast, person_a, host, case_manager=cast.operator_a)
    for check in hiring.follow_ups.all():
        services.follow_up_record(actor=cast.operator_a, follow_up=check, outcome="stable")
    html = client_for(cast.operator_a).get("/").content.decode()
    assert 'data-testid="overdue-follow-ups"' not in html


def test_roles_without_person_access_get_no_section(cast, client_for):
    html = client_for(cast.analyst).get("/").content.decode()
    assert 'data-testid="overdue-follow-ups"' not in html


def test_the_home_query_count_does_not_grow_with_the_overdue_checks(cast, host, client_for):
    def add(n):
        for _ in range(n):
            make_hiring(cast, make_person(registered_by=cast.org_a), host, case_manager=cast.operator_a)

    client = client_for(cast.operator_a)
    add(1)
    with CaptureQueriesContext(connection) as few:
        first = client.get("/").content.decode()
    add(6)
    with CaptureQueriesContext(connection) as many:
        second = client.get("/").content.decode()
    assert len(overdue_rows(first)) == 4 and len(overdue_rows(second)) == 5  # the oldest five of 28
    assert len(few.captured_queries) == len(many.captured_queries)
