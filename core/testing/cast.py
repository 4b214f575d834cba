"""The fixed cast every test uses: two organisations with an operator and a coordinator each,
a clinician, an aggregate-only analyst, a company referent, a peer expert, a sysadmin without
clinical access and a data-protection officer. Use through the pytest fixtures in conftest.py.
"""

import datetime
from dataclasses import dataclass
from itertools import count

from codicefiscale import codicefiscale

_serial = count(1)
# Consonant-rich surnames so every generated fiscal code differs in its first letters too.
_SURNAMES = ["Brambilla", "Colombo", "Ferrari", "Galli", "Lombardi", "Mariani", "Rinaldi", "Sala", "Villa", "Zanetti"]
_NAMES = ["Giulia", "Marco", "Chiara", "Luca", "Sara", "Paolo", "Elena", "Davide", "Anna", "Stefano"]


@dataclass
class Cast:
    org_a: object
    org_b: object
    company: object
    ats: object
    unit_a: object  # Polo Lavoro of org A
    cps_a: object  # CPS of org A
    unit_b: object  # Polo Lavoro of org B
    operator_a: object
    coordinator_a: object
    clinician_a: object
    peer_a: object
    operator_b: object
    coordinator_b: object
    clinician_b: object
    analyst: object
    company_referent: object
    sysadmin: object
    dpo: object


def make_user(username: str, unit, role: str, *, password: str = "pw-ponte-test", **extra):
    from accounts.models import Membership, User

    user = User.objects.create_user(username=username, password=password, **extra)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def build_cast() -> Cast:
    from accounts.choices import OrganisationKind, Role, UnitKind
    from accounts.models import Organisation, Unit

    ats = Organisation.objects.create(
        name="ATS Città Metropolitana di Milano", short_name="ATS", kind=OrganisationKind.ATS
    )
    org_a = Organisation.objects.create(
        name="ASST Fatebenefratelli Sacco", short_name="ASST FBF Sacco", kind=OrganisationKind.ASST
    )
    org_b = Organisation.objects.create(
        name="ASST Grande Ospedale Metropolitano Niguarda", short_name="ASST Niguarda", kind=OrganisationKind.ASST
    )
    company = Organisation.objects.create(name="Esempio Logistica S.p.A.", kind=OrganisationKind.COMPANY)
    unit_a = Unit.objects.create(organisation=org_a, name="Polo Lavoro Sacco", kind=UnitKind.POLO_LAVORO)
    cps_a = Unit.objects.create(organisation=org_a, name="CPS Sacco", kind=UnitKind.CPS)
    unit_b = Unit.objects.create(organisation=org_b, name="Polo Lavoro Niguarda", kind=UnitKind.POLO_LAVORO)
    ats_office = Unit.objects.create(organisation=ats, name="Osservatorio epidemiologico", kind=UnitKind.OFFICE)
    dpo_office = Unit.objects.create(organisation=ats, name="Ufficio protezione dati", kind=UnitKind.OFFICE)
    it_office = Unit.objects.create(organisation=ats, name="Sistemi informativi", kind=UnitKind.OFFICE)
    company_unit = Unit.objects.create(organisation=company, name="Risorse umane", kind=UnitKind.OFFICE)
    return Cast(
        org_a=org_a,
        org_b=org_b,
        company=company,
        ats=ats,
        unit_a=unit_a,
        cps_a=cps_a,
        unit_b=unit_b,
        operator_a=make_user("operator_a", unit_a, Role.OPERATOR, first_name="Olga", last_name="Operatrice"),
        coordinator_a=make_user("coordinator_a", unit_a, Role.COORDINATOR),
        clinician_a=make_user("clinician_a", cps_a, Role.CLINICIAN),
        peer_a=make_user("peer_a", unit_a, Role.PEER_EXPERT),
        operator_b=make_user("operator_b", unit_b, Role.OPERATOR),
        coordinator_b=make_user("coordinator_b", unit_b, Role.COORDINATOR),
        clinician_b=make_user("clinician_b", unit_b, Role.CLINICIAN),
        analyst=make_user("analyst", ats_office, Role.ANALYST),
        company_referent=make_user("company_referent", company_unit, Role.COMPANY_REFERENT),
        sysadmin=make_user("sysadmin", it_office, Role.SYSADMIN, is_staff=True, is_superuser=False),
        dpo=make_user("dpo", dpo_office, Role.DPO),
    )


def fiscal_code_for(
    *, last_name: str, first_name: str, sex: str, birth_date: datetime.date, birth_place: str = "Milano"
) -> str:
    """A valid fiscal code for these data (python-codicefiscale)."""
    return codicefiscale.encode(
        lastname=last_name,
        firstname=first_name,
        gender=sex,
        birthdate=birth_date.strftime("%d/%m/%Y"),
        birthplace=birth_place,
    )


def make_person(
    *,
    registered_by,
    last_name: str | None = None,
    first_name: str | None = None,
    sex: str = "F",
    birth_date: datetime.date | None = None,
    **fields,
):
    """A person saved directly, for arranging tests (services are what tests act through)."""
    from people.models import Person

    n = next(_serial)
    last_name = last_name or f"{_SURNAMES[n % len(_SURNAMES)]}"
    first_name = first_name or _NAMES[(n // len(_SURNAMES)) % len(_NAMES)]
    # Adults born 1970–2009, never in the future however many persons a test session makes; 97 is prime to the
    # 14,600-day span, so the first 14,600 persons all get different dates (and different fiscal codes).
    birth_date = birth_date or datetime.date(1970, 1, 1) + datetime.timedelta(days=(97 * n) % 14_600)
    fiscal_code = fields.pop("fiscal_code", None) or fiscal_code_for(
        last_name=last_name, first_name=first_name, sex=sex, birth_date=birth_date
    )
    return Person.objects.create(
        fiscal_code=fiscal_code,
        last_name=last_name,
        first_name=first_name,
        sex=sex,
        birth_date=birth_date,
        birth_place="Milano",
        birth_place_code="F205",
        registered_by=registered_by,
        **fields,
    )


def make_case(*, person, unit, case_manager=None, area: str = "work", opened_on: datetime.date | None = None):
    from cases.models import Case

    return Case.objects.create(
        person=person,
        organisation=unit.organisation,
        unit=unit,
        area=area,
        case_manager=case_manager,
        opened_on=opened_on or datetime.date(2025, 1, 15),
    )


def make_consent(
    *,
    person,
    organisation,
    recorded_by,
    purpose: str = "sharing",
    sections=None,
    given_on: datetime.date | None = None,
    withdrawn_on: datetime.date | None = None,
):
    from accounts.access import access_for
    from accounts.models import Organisation
    from people.models import Consent

    recorder_org = Organisation.objects.get(pk=access_for(recorded_by).primary_org_id)
    return Consent.objects.create(
        person=person,
        purpose=purpose,
        organisation=organisation,
        sections=list(sections or []),
        given_on=given_on or datetime.date(2025, 1, 10),
        withdrawn_on=withdrawn_on,
        recorded_by=recorded_by,
        recorded_by_organisation=recorder_org,
    )
