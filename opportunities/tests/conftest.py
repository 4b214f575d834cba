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
