"""Arrangements shared by the paths tests: a host company with its size, and an internship of person_a."""

import datetime
from decimal import Decimal

import pytest

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from opportunities.models import EmployerProfile
from paths import services
from paths.choices import BeneficiaryCategory, PathKind


def make_host(name: str = "Cooperativa Il Ponte", *, employees: int | None = 30):
    host = Organisation.objects.create(name=name, kind=OrganisationKind.SOCIAL_COOP)
    if employees is not None:
        EmployerProfile.objects.create(organisation=host, employees=employees)
    return host


def internship_fields(host, **overrides):
    fields = {
        "kind": PathKind.INTERNSHIP,
        "host": host,
        "title": "Magazziniere",
        "starts_on": datetime.date(2025, 3, 1),
        "planned_end_on": datetime.date(2025, 8, 31),
        "hours_per_week": Decimal("20"),
        "days_per_week": 5,
        "host_tutor": "Sig. Bianchi",
        "beneficiary_category": BeneficiaryCategory.STANDARD,
        "monthly_indemnity": Decimal("500"),
        "meal_vouchers": False,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def host(db):
    return make_host()


@pytest.fixture
def case_a(person_a):
    return person_a.cases.get()


@pytest.fixture
def internship(cast, person_a, case_a, host):
    return services.path_create(
        actor=cast.operator_a, person=person_a, case=case_a, service_tutor=cast.operator_a, **internship_fields(host)
    )
