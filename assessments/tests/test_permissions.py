"""The access rule of assessments, on its own: restrict() and the policy functions agree."""

import pytest

from assessments import services
from assessments.models import Assessment
from assessments.permissions import can_view_assessments_of, can_view_assessments_on_record, can_view_clinical_items
from cases.models import Case
from core.testing.cast import make_case, make_consent


@pytest.mark.parametrize(
    ("role", "sees", "clinical"),
    [
        ("operator_a", True, False),
        ("coordinator_a", True, False),
        ("clinician_a", True, True),
        ("peer_a", True, False),
        ("operator_b", False, False),
        ("clinician_b", False, False),
        ("analyst", False, False),
        ("company_referent", False, False),
        ("sysadmin", False, False),
        ("dpo", False, False),
    ],
)
def test_who_sees_an_assessment_of_organisation_a(cast, person_a, instruments, role, sees, clinical):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["social", "cases"])
    assessment = services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["employability"])
    user = getattr(cast, role)
    assert Assessment.objects.restrict(user, "view").filter(pk=assessment.pk).exists() is sees
    assert can_view_assessments_of(user, person_a) is sees
    cases = tuple(Case.objects.filter(person=person_a))
    if role not in ("analyst", "company_referent", "sysadmin", "dpo") or not sees:
        # On the record page (reached only by who sees the person) the cheap flag agrees.
        assert can_view_assessments_on_record(user, person_a, cases) is sees
    assert can_view_clinical_items(user, person_a) is clinical


def test_a_case_of_organisation_b_opens_a_assessments_to_b_but_not_their_change(cast, person_a, instruments):
    assessment = services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["employability"])
    make_case(person=person_a, unit=cast.unit_b)
    assert Assessment.objects.restrict(cast.operator_b, "view").filter(pk=assessment.pk).exists()
    assert not Assessment.objects.restrict(cast.operator_b, "change").filter(pk=assessment.pk).exists()
    assert Assessment.objects.restrict(cast.operator_a, "change").filter(pk=assessment.pk).exists()
    assert not Assessment.objects.restrict(cast.peer_a, "change").exists()
