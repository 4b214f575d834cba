import pytest

from accounts.choices import Role
from accounts.models import Membership


@pytest.fixture
def clinical_coordinator(cast):
    """coordinator_a, who is also a clinician of A's CPS: may import the diagnosis group."""
    Membership.objects.create(user=cast.coordinator_a, unit=cast.cps_a, role=Role.CLINICIAN)
    cast.coordinator_a.__dict__.pop("_ponte_access", None)
    return cast.coordinator_a


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that assertions on wording do not depend on the translations."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def persons(cast):
    """Luisa (SIAL:1001, consent to care 2014–2020) and Marco (SIAL:1002), imported by coordinator_a; by old id."""
    from imports.choices import Entity, RowAction
    from imports.models import SourceKey
    from imports.tests.files import csv_bytes
    from imports.tests.test_cases import PERSONS, run_file
    from imports.tests.test_services import errors_of

    run = run_file(cast.coordinator_a, Entity.PERSONS, csv_bytes(PERSONS))
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    return {key.source_id: key.person for key in SourceKey.objects.select_related("person")}
