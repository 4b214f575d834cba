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


# ---------------------------------------------------------------------------------------------- the record's rows
# The record page reads its rows with plain SQL (people.selectors.record_*, ADR 0020): they must be the rows, in the
# order, that the ORM and restrict() give.


def _referral(cast, person, *, from_unit, to_unit, sent_at):
    from cases.models import Referral

    consent = make_consent(person=person, organisation=to_unit.organisation, recorded_by=cast.operator_a)
    return Referral.objects.create(
        person=person, from_unit=from_unit, to_unit=to_unit, from_organisation=from_unit.organisation,
        to_organisation=to_unit.organisation, area="work", reason="Inserimento", consent=consent,
        sent_at=sent_at, sent_by=cast.operator_a,
    )  # fmt: skip


@pytest.mark.parametrize("username", USERS)
def test_record_referrals_are_those_restrict_gives(cast, username):
    from django.utils import timezone

    from accounts.models import Unit
    from cases.models import Referral
    from people import selectors

    user = getattr(cast, username)
    noon = timezone.make_aware(datetime.datetime(2025, 3, 10, 12))
    cps_b = Unit.objects.create(organisation=cast.org_b, name="CPS Niguarda", kind="cps")
    person = make_person(registered_by=cast.org_a)
    _referral(cast, person, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_at=noon)
    _referral(cast, person, from_unit=cast.unit_b, to_unit=cast.cps_a, sent_at=noon)  # same time: newest pk first
    _referral(cast, person, from_unit=cast.unit_b, to_unit=cps_b, sent_at=noon - datetime.timedelta(days=1))
    merged = make_person(registered_by=cast.org_a)
    _referral(cast, merged, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_at=noon)
    merged.merged_into = person
    merged.save()
    seen = {"operator_a": 2, "operator_b": 3, "analyst": 0}  # not vacuous: some see some, others none
    if username in seen:
        assert Referral.objects.restrict(user, "view").filter(person=person).count() == seen[username]
    for subject in (person, merged):
        expected = list(Referral.objects.restrict(user, "view").filter(person=subject).order_by("-sent_at", "-pk"))
        loaded = selectors.record_referrals(user, selectors.record_person(subject.pk))
        assert [r.pk for r in loaded] == [r.pk for r in expected], (username, subject.pk)
        for got, want in zip(loaded, expected, strict=True):
            assert (got.sent_at, got.area, got.status) == (want.sent_at, want.area, want.status)
            assert (got.from_unit.name, str(got.from_unit.organisation)) == (
                want.from_unit.name, str(want.from_unit.organisation))  # fmt: skip
            assert (got.to_unit.name, str(got.to_unit.organisation)) == (
                want.to_unit.name, str(want.to_unit.organisation))  # fmt: skip


def test_record_rows_are_those_the_orm_gives(cast):
    from cases.models import Case
    from people import selectors
    from people.models import Household

    household = Household.objects.create(name="Rossi", registered_by=cast.org_a)
    person = make_person(registered_by=cast.org_b, household=household, phone="02 1234", law68_registered=True)
    make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a, opened_on=datetime.date(2024, 5, 1))
    make_case(person=person, unit=cast.unit_b, area="housing", opened_on=datetime.date(2024, 5, 1))
    make_case(person=person, unit=cast.cps_a, area="prevention", opened_on=datetime.date(2025, 1, 1))
    make_consent(person=person, organisation=cast.org_a, recorded_by=cast.operator_b, sections=["contacts", "cases"])
    make_consent(person=person, organisation=cast.company, recorded_by=cast.operator_b, purpose="care",
                 given_on=datetime.date(2024, 1, 1), withdrawn_on=datetime.date(2024, 6, 1))  # fmt: skip

    loaded = selectors.record_person(person.pk)
    orm = Person.objects.select_related("registered_by", "household").get(pk=person.pk)
    for field in Person._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
    assert (str(loaded.registered_by), str(loaded.household)) == (str(orm.registered_by), str(orm.household))
    assert selectors.record_person(999_999) is None

    consents = selectors.record_consents(loaded)
    expected_consents = list(person.consents.select_related("organisation"))
    assert [c.pk for c in consents] == [c.pk for c in expected_consents]
    for got, want in zip(consents, expected_consents, strict=True):
        for field in type(want)._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
        assert str(got.organisation) == str(want.organisation)

    cases = selectors.record_cases(loaded)
    expected_cases = list(Case.objects.filter(person=person).select_related("organisation", "unit", "case_manager"))
    assert [c.pk for c in cases] == [c.pk for c in expected_cases]
    for got, want in zip(cases, expected_cases, strict=True):
        for field in Case._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
        assert (str(got.organisation), got.unit.name, str(got.case_manager)) == (
            str(want.organisation), want.unit.name, str(want.case_manager))  # fmt: skip
