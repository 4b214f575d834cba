"""Starting, saving and completing assessments: scores on every save, required items, stale saves, clinical
items kept away from non-clinical roles, and the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments import services
from assessments.choices import AssessmentStatus
from assessments.models import Assessment
from assessments.tests.conftest import EMPLOYABILITY_CLINICAL, EMPLOYABILITY_NON_CLINICAL
from audit.choices import Action
from audit.models import AuditEvent
from core.exceptions import StaleObjectError
from core.testing.cast import make_case, make_consent, make_person


@pytest.fixture
def draft(cast, person_a, instruments):
    return services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["employability"])


def test_start_opens_a_draft_for_the_treating_organisation_and_audits_it(cast, person_a, draft):
    assert (draft.status, draft.organisation, draft.unit, draft.author) == (
        "draft",
        cast.org_a,
        cast.unit_a,
        cast.operator_a,
    )
    assert draft.version == 1 and draft.answers == {} and draft.total is None
    event = AuditEvent.objects.get(action=Action.ASSESSMENT_SAVE)
    assert (event.person_id, event.object_id, event.detail["started"]) == (person_a.pk, str(draft.pk), True)


@pytest.mark.parametrize("role", ["operator_b", "analyst", "peer_a", "company_referent", "sysadmin"])
def test_who_may_not_start(cast, person_a, instruments, role):
    with pytest.raises(PermissionDenied):
        services.assessment_start(actor=getattr(cast, role), person=person_a, version=instruments["employability"])
    assert not Assessment.objects.exists()


def test_seeing_the_person_through_a_consent_is_not_enough_to_assess_them(cast, person_a, instruments):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["social"])
    with pytest.raises(PermissionDenied):
        services.assessment_start(actor=cast.operator_b, person=person_a, version=instruments["employability"])


def test_a_save_scores_and_a_complete_checks_the_required_items(cast, draft):
    saved = services.assessment_save(
        actor=cast.operator_a, assessment=draft, version=1, answers={"wh_experience": "4", "wh_recent": "2"}
    )
    assert saved.version == 2 and saved.status == AssessmentStatus.DRAFT
    assert saved.scores["domains"]["work_history"]["score"] == 3.0
    assert saved.total is None  # other domains still empty
    with pytest.raises(ValidationError) as error:
        services.assessment_save(actor=cast.operator_a, assessment=saved, version=2, answers={}, complete=True)
    missing = set(error.value.message_dict)
    assert "ws_technical" in missing and "wh_experience" in missing  # the empty form cleared the answers
    assert not missing & {"cl_stability", "cl_adherence"}  # clinical items are never required of a non-clinician
    assert Assessment.objects.get(pk=draft.pk).version == 2

    done = services.assessment_save(
        actor=cast.operator_a, assessment=saved, version=2, answers=EMPLOYABILITY_NON_CLINICAL, complete=True
    )
    assert (done.status, float(done.total), done.band, done.completed_by) == (
        "completed",
        3.0,
        "supported",
        cast.operator_a,
    )
    assert AuditEvent.objects.filter(action=Action.ASSESSMENT_COMPLETE, object_id=str(done.pk)).count() == 1
    with pytest.raises(PermissionDenied):
        services.assessment_save(actor=cast.operator_a, assessment=done, version=done.version, answers={})


def test_invalid_answers_are_refused_with_their_item(cast, draft):
    with pytest.raises(ValidationError) as error:
        services.assessment_save(
            actor=cast.operator_a, assessment=draft, version=1, answers={"wh_experience": "7", "wh_years": 99}
        )
    assert set(error.value.message_dict) == {"wh_experience", "wh_years"}
    with pytest.raises(ValidationError):
        services.assessment_save(
            actor=cast.operator_a,
            assessment=draft,
            version=1,
            answers={},
            assessed_on=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_a_stale_save_names_what_changed_and_writes_nothing(cast, draft):
    services.assessment_save(actor=cast.coordinator_a, assessment=draft, version=1, answers={"wh_experience": "4"})
    with pytest.raises(StaleObjectError) as stale:
        services.assessment_save(actor=cast.operator_a, assessment=draft, version=1, answers={"wh_experience": "1"})
    assert stale.value.changed == {"wh_experience": (None, "4")}
    assert stale.value.current.version == 2
    assert Assessment.objects.get(pk=draft.pk).answers == {"wh_experience": "4"}


def test_clinical_items_are_answered_by_clinicians_only_and_survive_other_saves(cast, person_a, draft):
    clinician = services.assessment_save(
        actor=cast.clinician_a, assessment=draft, version=1, answers={**EMPLOYABILITY_CLINICAL, "wh_experience": "2"}
    )
    assert clinician.answers["cl_stability"] == "1"
    assert clinician.scores["domains"]["clinical_stability"]["score"] == 1.5
    # An operator saves the form they see (no clinical items): the clinician's answers stay.
    operator = services.assessment_save(
        actor=cast.operator_a, assessment=clinician, version=2, answers={"wh_experience": "3", "cl_stability": "4"}
    )
    assert operator.answers["cl_stability"] == "1"  # not the operator's "4"
    assert operator.answers["cl_note"] == "Ricovero a marzo."
    assert operator.answers["wh_experience"] == "3"


def test_a_stale_save_does_not_name_clinical_items_to_a_non_clinician(cast, draft):
    services.assessment_save(actor=cast.clinician_a, assessment=draft, version=1, answers={"cl_stability": "2"})
    with pytest.raises(StaleObjectError) as stale:
        services.assessment_save(actor=cast.operator_a, assessment=draft, version=1, answers={})
    assert stale.value.changed == {}


def test_clinicians_of_an_organisation_that_does_not_treat_the_person_clinically_cannot_answer_clinical_items(
    cast, instruments
):
    # Registered by A, an open case in A's Polo Lavoro; clinician_b's organisation has only a closed case.
    person = make_person(registered_by=cast.org_a)
    make_case(person=person, unit=cast.unit_a)
    case_b = make_case(person=person, unit=cast.unit_b, opened_on=datetime.date(2024, 1, 1))
    case_b.status, case_b.closed_on, case_b.closing_reason = "closed", datetime.date(2024, 6, 1), "goals_met"
    case_b.save()
    draft = services.assessment_start(actor=cast.clinician_b, person=person, version=instruments["employability"])
    saved = services.assessment_save(actor=cast.clinician_b, assessment=draft, version=1, answers={"cl_stability": "3"})
    assert "cl_stability" not in saved.answers
