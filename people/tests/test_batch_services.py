"""The batch registry services of imports: the same records, refusals and audit events as the one-by-one
services, in a number of queries that does not grow with the number of entries."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.choices import Action, Outcome
from audit.models import AuditEvent
from core.testing.cast import fiscal_code_for, make_case, make_person
from people import services
from people.choices import ConsentPurpose
from people.models import Consent, Person

FIELDS = ("fiscal_code", "first_name", "last_name", "sex", "birth_date", "birth_place", "birth_place_code",
          "registered_by_id", "phone", "education", "civil_invalidity_percent", "diagnosis_group")  # fmt: skip
PAST = datetime.date(2020, 1, 1)
SURNAMES = ["Brambilla", "Colombo", "Ferrari", "Galli", "Lombardi", "Mariani", "Pirovano", "Sala"]


def entry(last_name: str, n: int = 0, **over) -> dict:
    born = datetime.date(1970 + n, 1 + n % 12, 1 + n % 28)
    data = {"first_name": "Anna", "last_name": last_name, "sex": "F", "birth_date": born, "birth_place": "Milano"}
    data.update(over)
    data.setdefault(
        "fiscal_code",
        fiscal_code_for(last_name=last_name, first_name=data["first_name"], sex=data["sex"], birth_date=born),
    )
    return data


def events(action) -> list[tuple]:
    return sorted(
        (e.actor_id, e.organisation_id, e.organisation_name, e.outcome, e.object_type, e.person_id is not None,
         e.channel, tuple(sorted((e.detail or {}).items())))
        for e in AuditEvent.objects.filter(action=action)
    )  # fmt: skip


def one_by_one(actor, entries) -> list:
    results = []
    for data in entries:
        try:
            results.append(services.person_create(actor=actor, **data))
        except ValidationError as exc:
            results.append(exc)
    return results


def outcome(results) -> list:
    """Fields of the records, messages of the refusals (record numbers aside: sequences do not roll back)."""
    return [
        tuple(getattr(r, name) for name in FIELDS)
        if isinstance(r, Person)
        else ("refused", {k: [re.sub(r"\d+", "#", m) for m in v] for k, v in r.message_dict.items()})
        for r in results
    ]


def _cases(cast):
    """Entries of every kind: valid, with profile fields, inconsistent, a code seen twice, a code the actor sees
    registered, a code registered out of the actor's reach, and a diagnosis by a non-clinician."""
    seen = make_person(registered_by=cast.org_a, last_name="Visibile", first_name="Anna")
    hidden = make_person(registered_by=cast.org_b, last_name="Nascosta", first_name="Anna")
    return [
        entry("Brambilla", 1),
        entry("Colombo", 2, phone="02 555", education="upper_secondary", civil_invalidity_percent=67),
        entry("Ferrari", 3, sex="M", fiscal_code=entry("Ferrari", 3)["fiscal_code"]),
        entry("Galli", 4, birth_place="Atlantide"),
        entry("Brambilla", 1, first_name="Anna "),
        entry("Visibile", 5, fiscal_code=seen.fiscal_code, birth_date=seen.birth_date),
        entry("Nascosta", 6, fiscal_code=hidden.fiscal_code, birth_date=hidden.birth_date),
        entry("Lombardi", 7, diagnosis_group="F20-F29"),
    ], hidden


class RollBack(Exception):
    pass


def test_person_create_many_does_what_person_create_does_one_by_one(cast):
    entries, hidden = _cases(cast)
    try:
        with transaction.atomic():
            many = services.person_create_many(actor=cast.operator_a, entries=entries)
            batch = (outcome(many), events(Action.PERSON_CREATE), events(Action.PERSON_DUPLICATE_HIDDEN))
            raise RollBack  # the same entries are registered one by one below, on the registry as it was
    except RollBack:
        pass
    assert [isinstance(r, Person) for r in many] == [True, True, False, False, False, False, False, False]
    assert "Nascosta" not in batch[0][6][1]["fiscal_code"][0] and "Visibile" in batch[0][5][1]["fiscal_code"][0]
    assert len(batch[1]) == 2 and len(batch[2]) == 1
    assert not Person.objects.filter(last_name="Brambilla").exists()

    single = one_by_one(cast.operator_a, entries)
    assert outcome(single) == batch[0]
    assert events(Action.PERSON_CREATE) == batch[1]
    assert events(Action.PERSON_DUPLICATE_HIDDEN) == batch[2]
    assert AuditEvent.objects.get(action=Action.PERSON_DUPLICATE_HIDDEN).person_id == hidden.pk


def test_person_create_many_needs_a_role_that_registers(cast):
    with pytest.raises(PermissionDenied):
        services.person_create_many(actor=cast.analyst, entries=[entry("Brambilla", 1)])
    with pytest.raises(ValidationError):
        services.person_create_many(actor=cast.operator_a, organisation=cast.org_b, entries=[entry("Brambilla", 1)])
    assert not Person.objects.exists()


def test_person_create_many_costs_the_same_queries_for_two_or_forty_entries(cast):
    def queries(count: int, offset: int) -> int:
        entries = [
            entry(SURNAMES[n % len(SURNAMES)], offset + n, first_name=f"Anna{chr(65 + n % 26)}") for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            results = services.person_create_many(actor=cast.operator_a, entries=entries)
        assert all(isinstance(r, Person) for r in results), results
        return len(captured)

    queries(1, 80)  # the actor's memberships, read once and kept for the rest of the request
    # Constant but for SQLite, which splits a long insert by its limit of variables per statement.
    assert queries(40, 0) <= queries(2, 40) + 2


def gifts_for(cast, person) -> list[dict]:
    today = datetime.date.today()
    return [
        {"person": person, "purpose": ConsentPurpose.CARE, "organisation": cast.org_a, "given_on": today},
        # a consent of the past, then the one in force since: both recorded, in this order
        {"person": person, "purpose": ConsentPurpose.STATISTICS, "organisation": cast.org_a,
         "given_on": datetime.date(2020, 1, 1), "withdrawn_on": datetime.date(2021, 1, 1)},
        {"person": person, "purpose": ConsentPurpose.STATISTICS, "organisation": cast.org_a,
         "given_on": datetime.date(2022, 1, 1)},
        # refused: one in force already, sharing with the treating organisation itself, a withdrawal before the gift
        {"person": person, "purpose": ConsentPurpose.CARE, "organisation": cast.org_a, "given_on": today},
        {"person": person, "purpose": ConsentPurpose.SHARING, "organisation": cast.org_a, "given_on": today,
         "sections": ["social"]},
        {"person": person, "purpose": ConsentPurpose.SHARING, "organisation": cast.org_b,
         "given_on": datetime.date(2021, 5, 5), "withdrawn_on": datetime.date(2021, 1, 1), "sections": ["social"]},
        {"person": person, "purpose": ConsentPurpose.SHARING, "organisation": cast.org_b,
         "given_on": datetime.date(2021, 5, 5), "sections": ["social"]},
        # refused by the model's own checks: a note too long, a date in the future, a withdrawal in the future
        {"person": person, "purpose": ConsentPurpose.COMPANY_CONTACT, "organisation": cast.org_b, "given_on": today,
         "note": "x" * 301},
        {"person": person, "purpose": ConsentPurpose.COMPANY_CONTACT, "organisation": cast.org_b,
         "given_on": today + datetime.timedelta(days=1)},
        {"person": person, "purpose": ConsentPurpose.COMPANY_CONTACT, "organisation": cast.org_b, "given_on": today,
         "withdrawn_on": today + datetime.timedelta(days=1)},
        {"person": person, "purpose": ConsentPurpose.COMPANY_CONTACT, "organisation": cast.org_b, "given_on": today,
         "note": " y " * 100},
    ]  # fmt: skip


def consent_outcome(results) -> list:
    return [
        (r.purpose, r.organisation_id, r.given_on, r.withdrawn_on, tuple(r.sections), r.recorded_by_organisation_id)
        if isinstance(r, Consent)
        else (type(r).__name__, getattr(r, "message_dict", None))
        for r in results
    ]


def test_consent_give_many_does_what_consent_give_and_withdraw_do_one_by_one(cast):
    from people.services import _consent_give_one

    first = make_person(registered_by=cast.org_a, last_name="Brambilla")
    second = make_person(registered_by=cast.org_b, last_name="Colombo")
    make_case(person=second, unit=cast.unit_a)  # treated by A through a case: A records the consents
    stranger = make_person(registered_by=cast.org_b, last_name="Ferrari")
    batch_gifts = gifts_for(cast, first) + [
        {"person": stranger, "purpose": ConsentPurpose.CARE, "organisation": cast.org_a, "given_on": PAST}
    ]  # fmt: skip
    many = services.consent_give_many(actor=cast.operator_a, gifts=batch_gifts)
    single = [_consent_give_one(cast.operator_a, gift) for gift in gifts_for(cast, second)]
    assert consent_outcome(many)[:-1] == consent_outcome(single)
    assert isinstance(many[-1], PermissionDenied)
    assert [isinstance(r, Consent) for r in many] == [True, True, True, False, False, False, True] + [False] * 3 + [
        True,
        False,
    ]
    assert "note" in many[7].message_dict and "given_on" in many[8].message_dict
    assert "withdrawn_on" in many[9].message_dict
    by_person = {
        action: sorted(
            (e.detail["purpose"], e.detail["organisation"], e.object_id != "")
            for e in AuditEvent.objects.filter(action=action, person_id=person.pk)
        )
        for action in (Action.CONSENT_GIVE, Action.CONSENT_WITHDRAW)
        for person in (first,)
    }
    other = {
        action: sorted(
            (e.detail["purpose"], e.detail["organisation"], e.object_id != "")
            for e in AuditEvent.objects.filter(action=action, person_id=second.pk)
        )
        for action in (Action.CONSENT_GIVE, Action.CONSENT_WITHDRAW)
    }
    assert by_person == other
    assert len(by_person[Action.CONSENT_GIVE]) == 5 and len(by_person[Action.CONSENT_WITHDRAW]) == 1
    assert not Consent.objects.filter(person=stranger).exists()
    assert all(e.outcome == Outcome.OK for e in AuditEvent.objects.filter(action=Action.CONSENT_GIVE))


def test_consent_give_many_costs_the_same_queries_for_two_or_forty_persons(cast):
    def queries(count: int, offset: int) -> int:
        persons = [make_person(registered_by=cast.org_a, last_name=f"Sala{offset + n}") for n in range(count)]
        gifts = [
            {"person": p, "purpose": ConsentPurpose.CARE, "organisation": cast.org_a, "given_on": PAST}
            for p in persons
        ]  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            results = services.consent_give_many(actor=cast.operator_a, gifts=gifts)
        assert all(isinstance(r, Consent) for r in results), results
        return len(captured)

    queries(1, 80)  # the actor's memberships, read once and kept for the rest of the request
    # Constant but for SQLite, which splits a long insert by its limit of variables per statement.
    assert queries(40, 0) <= queries(2, 40) + 2
