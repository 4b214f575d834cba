"""person_access() decides in Python what Person.objects.restrict() decides in SQL; the record page relies on both
agreeing (ADR 0018). Every situation of the access rule, for every member of the cast, must give the same answer.
"""

import dataclasses
import datetime

import pytest

from cases.choices import CaseStatus
from core.testing.cast import Cast, make_case, make_consent, make_person
from people.models import Person
from people.permissions import person_access

TODAY = datetime.date.today()
ORGANISATIONS_AND_UNITS = {"org_a", "org_b", "company", "ats", "unit_a", "cps_a", "unit_b"}
USERS = [field.name for field in dataclasses.fields(Cast) if field.name not in ORGANISATIONS_AND_UNITS]


def _situations(cast) -> dict[str, Person]:
    """One person per situation of the rule, each registered by organisation B unless it is about registration."""
    b, a = cast.org_b, cast.org_a
    people = {
        "registered_by_a": make_person(registered_by=a),
        "registered_by_b_only": make_person(registered_by=b),
        "open_case_at_a": make_person(registered_by=b),
        "closed_case_at_a": make_person(registered_by=b),
        "sharing_consent_to_a": make_person(registered_by=b),
        "sharing_consent_no_sections": make_person(registered_by=b),
        "withdrawn_consent_to_a": make_person(registered_by=b),
        "withdrawn_today": make_person(registered_by=b),
        "future_consent_to_a": make_person(registered_by=b),
        "care_consent_to_a": make_person(registered_by=b),
        "merged_registered_by_a": make_person(registered_by=a),
        "merged_shared_with_a": make_person(registered_by=b),
    }
    make_case(person=people["open_case_at_a"], unit=cast.unit_a)
    closed = make_case(person=people["closed_case_at_a"], unit=cast.unit_a)
    closed.status, closed.closed_on, closed.closing_reason = CaseStatus.CLOSED, datetime.date(2025, 6, 1), "Concluso"
    closed.save()
    recorder = cast.operator_b
    make_consent(person=people["sharing_consent_to_a"], organisation=a, recorded_by=recorder, sections=["contacts"])
    make_consent(person=people["sharing_consent_no_sections"], organisation=a, recorded_by=recorder, sections=[])
    make_consent(
        person=people["withdrawn_consent_to_a"],
        organisation=a,
        recorded_by=recorder,
        given_on=datetime.date(2025, 1, 1),
        withdrawn_on=datetime.date(2025, 3, 1),
    )
    make_consent(
        person=people["withdrawn_today"], organisation=a, recorded_by=recorder, given_on=datetime.date(2025, 1, 1),
        withdrawn_on=TODAY,
    )  # fmt: skip
    make_consent(
        person=people["future_consent_to_a"], organisation=a, recorded_by=recorder,
        given_on=TODAY + datetime.timedelta(days=1),
    )  # fmt: skip
    make_consent(person=people["care_consent_to_a"], organisation=a, recorded_by=recorder, purpose="care")
    make_consent(person=people["merged_shared_with_a"], organisation=a, recorded_by=recorder)
    survivor = make_person(registered_by=b)
    for key in ("merged_registered_by_a", "merged_shared_with_a"):
        people[key].merged_into = survivor
        people[key].save()
    return people


@pytest.mark.parametrize("username", USERS)
def test_person_access_agrees_with_restrict_in_every_situation(cast, username):
    user = getattr(cast, username)
    people = _situations(cast)
    reached = set(Person.objects.restrict(user, "view").values_list("pk", flat=True))
    for situation, person in people.items():
        person = Person.objects.get(pk=person.pk)
        consents = list(person.consents.all())
        with_loaded = person_access(user, person, consents=consents).visible
        with_query = person_access(user, person).visible
        assert with_loaded == with_query == (person.pk in reached), (username, situation)


def test_the_situations_cover_both_answers(cast):
    """The comparison above would pass vacuously if nobody saw anything: operator A must see some and not others."""
    people = _situations(cast)
    seen = {key for key, person in people.items() if person_access(cast.operator_a, person).visible}
    assert seen == {
        "registered_by_a",
        "open_case_at_a",
        "closed_case_at_a",
        "sharing_consent_to_a",
        "sharing_consent_no_sections",
    }
