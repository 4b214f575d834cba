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
