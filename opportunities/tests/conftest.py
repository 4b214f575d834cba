"""Fixtures of the employer tests: employers of the cast's company and another, and a CELAV operator."""

import datetime

import pytest

from accounts.choices import OrganisationKind, Role, UnitKind
from accounts.models import Organisation, Unit
from core.testing.cast import make_user
from opportunities.models import EmployerContact, EmployerProfile


def make_employer(organisation=None, *, name: str = "", kind: str = OrganisationKind.COMPANY, **fields):
    """A profile saved directly, for arranging tests (services are what tests act through)."""
    if organisation is None:
        organisation = Organisation.objects.create(name=name, kind=kind)
    fields.setdefault("employees", 20)
    return EmployerProfile.objects.create(organisation=organisation, **fields)


def make_contact(*, employer, operator, contacted_on=datetime.date(2026, 11, 2), **fields):
    from accounts.access import access_for

    fields.setdefault("channel", "phone")
    fields.setdefault("discussed", "Presentazione del Polo Lavoro")
    fields.setdefault("outcome", "interested")
    return EmployerContact.objects.create(
        employer=employer,
        operator=operator,
        organisation_id=access_for(operator).primary_org_id,
        contacted_on=contacted_on,
        **fields,
    )


@pytest.fixture
def employer(cast):
    """The cast's company: 120 employees, so a quota of 8 (7% of 120 = 8.40), 3 covered, 5 to fill."""
    return make_employer(
        cast.company,
        employees=120,
        law68_covered=3,
        ateco_division="52",
        comune="Milano",
        municipio=9,
        needs="Magazzinieri part-time",
    )


@pytest.fixture
def other_employer(db):
    """A cooperative of type B with 40 employees: quota 2, none covered."""
    return make_employer(
        name="Cooperativa sociale Il Ponte", kind=OrganisationKind.SOCIAL_COOP, employees=40, social_coop_type="B"
    )


@pytest.fixture
def celav_operator(cast):
    """An operator of the Comune di Milano's CELAV: scouting staff of another kind of organisation."""
    comune = Organisation.objects.create(name="Comune di Milano", kind=OrganisationKind.MUNICIPALITY)
    celav = Unit.objects.create(organisation=comune, name="CELAV", kind=UnitKind.CELAV)
    return make_user("celav_operator", celav, Role.OPERATOR)


@pytest.fixture
def other_referent(other_employer):
    """The company referent of the other employer."""
    unit = Unit.objects.create(organisation=other_employer.organisation, name="Ufficio", kind=UnitKind.OFFICE)
    return make_user("other_referent", unit, Role.COMPANY_REFERENT)


def make_opportunity(organisation, title: str = "Addetto magazzino", *, status="open", kind="job", **fields):
    """An opportunity saved directly, for arranging tests."""
    from opportunities.models import Opportunity

    return Opportunity.objects.create(organisation=organisation, title=title, status=status, kind=kind, **fields)


def make_profile(person, *, organisation, updated_by, **fields):
    """A work profile saved directly, for arranging tests."""
    from opportunities.models import WorkProfile

    return WorkProfile.objects.create(person=person, organisation=organisation, updated_by=updated_by, **fields)


def give_company_consent(person, *, by, organisation, given_on=datetime.date(2026, 1, 10)):
    """The person's consent to be proposed to and contacted by companies."""
    from people.models import Consent

    return Consent.objects.create(
        person=person,
        purpose="company_contact",
        organisation=organisation,
        given_on=given_on,
        recorded_by=by,
        recorded_by_organisation=organisation,
    )


@pytest.fixture
def candidate(cast, person_a):
    """Maria Rossi (person_a): in operator_a's caseload, consented to companies, with a work profile."""
    give_company_consent(person_a, by=cast.operator_a, organisation=cast.org_a)
    person_a.law68_registered = True
    person_a.save(update_fields=["law68_registered"])
    make_profile(
        person_a,
        organisation=cast.org_a,
        updated_by=cast.operator_a,
        wishes=[{"kind": "isco", "code": "93"}, {"kind": "ateco", "code": "52"}],
        skills={"warehouse": 4, "ts_teamwork": 3, "forklift": 1},
        max_hours_per_week=30,
        reachable_areas=["M9", "M8"],
    )
    return person_a
