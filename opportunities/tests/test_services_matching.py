"""Services of opportunities, work profiles and proposals: rights, validation, audit, optimistic locking."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from audit.choices import Action
from audit.models import AuditEvent
from core.exceptions import StaleObjectError
from core.testing.cast import make_person
from opportunities import services
from opportunities.models import Opportunity, Proposal, WorkProfile
from opportunities.tests.conftest import give_company_consent, make_opportunity

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _english():
    """These tests match the services' messages in English (Italian is checked by the translation tests)."""
    with translation.override("en"):
        yield


# ---------------------------------------------------------------------------------------------- opportunities


def test_scouting_staff_publish_an_opportunity_for_their_organisation_audited(cast, employer):
    opportunity = services.opportunity_create(
        actor=cast.operator_a,
        kind="internship",
        title="Tirocinio in magazzino",
        occupation_code="9321",
        employer=employer,
        days=["3", 1, 1],
        required_skills=["warehouse", "warehouse", "ts_reliability"],
        desired_skills=["forklift"],
        status="open",
    )
    assert opportunity.organisation == cast.org_a
    assert opportunity.days == [1, 3] and opportunity.required_skills == ["warehouse", "ts_reliability"]
    event = AuditEvent.objects.get(action=Action.OPPORTUNITY_SAVE)
    assert event.detail["created"] is True and "required_skills" in event.detail["fields"]


def test_a_company_referent_publishes_for_their_company(cast):
    opportunity = services.opportunity_create(actor=cast.company_referent, kind="job", title="Addetto vendite")
    assert opportunity.organisation == cast.company


@pytest.mark.parametrize("role", ["clinician_a", "analyst", "sysadmin", "peer_a"])
def test_others_cannot_publish(cast, role):
    with pytest.raises(PermissionDenied):
        services.opportunity_create(actor=getattr(cast, role), kind="job", title="x")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"required_skills": ["juggling"]}, "required_skills"),
        ({"required_skills": ["cleaning"], "desired_skills": ["cleaning"]}, "desired_skills"),
        ({"skills_taught": ["cleaning"]}, "skills_taught"),
        ({"occupation_code": "99"}, "occupation_code"),
        ({"days": [8]}, "days"),
        ({"starts_on": datetime.date(2027, 2, 1), "ends_on": datetime.date(2027, 1, 1)}, "ends_on"),
    ],
)
def test_opportunity_validation(cast, fields, field):
    with pytest.raises(ValidationError) as error:
        services.opportunity_create(actor=cast.operator_a, kind="job", title="x", **fields)
    assert field in error.value.error_dict
    assert not Opportunity.objects.exists()


def test_only_a_course_teaches_skills(cast):
    course = services.opportunity_create(
        actor=cast.operator_a, kind="course", title="HACCP", skills_taught=["food_hygiene"]
    )
    assert course.skills_taught == ["food_hygiene"]


def test_update_with_a_stale_version_and_close(cast):
    opportunity = make_opportunity(cast.org_a)
    updated = services.opportunity_update(actor=cast.coordinator_a, opportunity=opportunity, version=1, seats=3)
    assert (updated.seats, updated.version) == (3, 2)
    with pytest.raises(StaleObjectError):
        services.opportunity_update(actor=cast.operator_a, opportunity=opportunity, version=1, seats=4)
    closed = services.opportunity_close(actor=cast.operator_a, opportunity=opportunity)
    assert closed.status == "closed"
    assert AuditEvent.objects.filter(action=Action.OPPORTUNITY_SAVE).count() == 2


def test_another_organisations_opportunity_cannot_be_changed(cast):
    opportunity = make_opportunity(cast.org_b)
    for actor in (cast.operator_a, cast.company_referent):
        with pytest.raises(PermissionDenied):
            services.opportunity_update(actor=actor, opportunity=opportunity, version=1, seats=2)
        with pytest.raises(PermissionDenied):
            services.opportunity_close(actor=actor, opportunity=opportunity)


# ---------------------------------------------------------------------------------------------- work profiles


def test_the_treating_team_saves_a_work_profile_audited_with_the_person(cast, person_a):
    profile = services.work_profile_save(
        actor=cast.operator_a,
        person=person_a,
        wishes=[{"kind": "isco", "code": "93"}, {"kind": "ateco", "code": "52"}, {"kind": "isco", "code": "93"}],
        skills={"warehouse": "4"},
        days=[1, 2, 3],
        reachable_areas=["M9", " ", "Sesto San Giovanni"],
        disclosure="details",
        disclosure_text="Preferisce un referente fisso in azienda.",
    )
    assert profile.wishes == [{"kind": "isco", "code": "93"}, {"kind": "ateco", "code": "52"}]
    assert profile.skills == {"warehouse": 4} and profile.reachable_areas == ["M9", "Sesto San Giovanni"]
    event = AuditEvent.objects.get(action=Action.WORK_PROFILE_SAVE)
    assert event.person_id == person_a.pk and event.detail["created"] is True
    changed = services.work_profile_save(actor=cast.operator_a, person=person_a, version=1, max_hours_per_week=20)
    assert changed.version == 2
    with pytest.raises(StaleObjectError):
        services.work_profile_save(actor=cast.operator_a, person=person_a, version=1, max_hours_per_week=25)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"wishes": [{"kind": "isco", "code": "99"}]}, "wishes"),
        ({"wishes": [{"kind": "ateco", "code": "ZZ"}]}, "wishes"),
        ({"skills": {"warehouse": 6}}, "skills"),
        ({"skills": {"juggling": 3}}, "skills"),
        ({"disclosure": "details"}, "disclosure_text"),
        ({"disclosure": "none", "disclosure_text": "x"}, "disclosure_text"),
        ({"days": [0]}, "days"),
    ],
)
def test_work_profile_validation(cast, person_a, fields, field):
    with pytest.raises(ValidationError) as error:
        services.work_profile_save(actor=cast.operator_a, person=person_a, **fields)
    assert field in error.value.error_dict
    assert not WorkProfile.objects.exists()


@pytest.mark.parametrize("role", ["operator_b", "analyst", "company_referent", "peer_a", "sysadmin"])
def test_outside_the_treating_team_no_work_profile_is_saved(cast, person_a, role):
    with pytest.raises(PermissionDenied):
        services.work_profile_save(actor=getattr(cast, role), person=person_a, max_hours_per_week=20)


# ---------------------------------------------------------------------------------------------- proposals


@pytest.fixture
def opening(cast, employer):
    return make_opportunity(cast.company, "Addetto logistica", employer=employer, seats=1)


def test_propose_needs_the_consent_to_companies(cast, person_a, opening):
    with pytest.raises(ValidationError, match="consented"):
        services.proposal_create(actor=cast.operator_a, opportunity=opening, person=person_a)
    give_company_consent(person_a, by=cast.operator_a, organisation=cast.org_a)
    proposal = services.proposal_create(actor=cast.operator_a, opportunity=opening, person=person_a, note="Puntuale")
    assert (proposal.status, proposal.organisation, proposal.proposed_on) == ("pending", cast.org_a, TODAY())
    event = AuditEvent.objects.get(action=Action.PROPOSAL_SAVE)
    assert event.person_id == person_a.pk and event.detail["opportunity"] == opening.pk
    with pytest.raises(ValidationError, match="already"):
        services.proposal_create(actor=cast.operator_a, opportunity=opening, person=person_a)


def test_only_the_treating_team_proposes(cast, person_a, opening):
    give_company_consent(person_a, by=cast.operator_a, organisation=cast.org_a)
    for actor in (cast.operator_b, cast.company_referent, cast.analyst):
        with pytest.raises(PermissionDenied):
            services.proposal_create(actor=actor, opportunity=opening, person=person_a)


def test_decisions_both_yes_is_ready_for_a_path_and_takes_the_seat(cast, person_a, opening):
    give_company_consent(person_a, by=cast.operator_a, organisation=cast.org_a)
    proposal = services.proposal_create(actor=cast.operator_a, opportunity=opening, person=person_a)
    proposal = services.proposal_decide(actor=cast.operator_a, proposal=proposal, side="candidate", decision="yes")
    assert proposal.status == "pending" and not proposal.ready_for_path
    proposal = services.proposal_decide(actor=cast.company_referent, proposal=proposal, side="employer", decision="yes")
    assert proposal.status == "accepted" and proposal.ready_for_path
    assert proposal.employer_decided_by == cast.company_referent and proposal.employer_decided_on == TODAY()
    assert AuditEvent.objects.filter(action=Action.PROPOSAL_DECIDE).count() == 2
    other = make_person(registered_by=cast.org_a)
    give_company_consent(other, by=cast.operator_a, organisation=cast.org_a)
    with pytest.raises(ValidationError, match="seats"):
        services.proposal_create(actor=cast.operator_a, opportunity=opening, person=other)


def test_a_no_needs_a_coded_reason(cast, person_a, opening):
    give_company_consent(person_a, by=cast.operator_a, organisation=cast.org_a)
    proposal = services.proposal_create(actor=cast.operator_a, opportunity=opening, person=person_a)
    with pytest.raises(ValidationError) as error:
        services.proposal_decide(actor=cast.company_referent, proposal=proposal, side="employer", decision="no")
    assert "reason" in error.value.error_dict
    proposal = services.proposal_decide(
        actor=cast.company_referent, proposal=proposal, side="employer", decision="no", reason="skills"
    )
    assert (proposal.status, proposal.employer_reason) == ("declined_employer", "skills")


def test_the_company_decides_only_for_its_own_opportunities_and_never_for_the_candidate(
    cast, person_a, opening, other_referent
):
    give_company_consent(person_a, by=cast.operator_a, organisation=cast.org_a)
    proposal = services.proposal_create(actor=cast.operator_a, opportunity=opening, person=person_a)
    with pytest.raises(PermissionDenied):
        services.proposal_decide(actor=other_referent, proposal=proposal, side="employer", decision="yes")
    with pytest.raises(PermissionDenied):
        services.proposal_decide(actor=cast.company_referent, proposal=proposal, side="candidate", decision="yes")


def test_withdraw_a_waiting_proposal_then_propose_again(cast, person_a, opening):
    give_company_consent(person_a, by=cast.operator_a, organisation=cast.org_a)
    proposal = services.proposal_create(actor=cast.operator_a, opportunity=opening, person=person_a)
    assert services.proposal_withdraw(actor=cast.operator_a, proposal=proposal).status == "withdrawn"
    with pytest.raises(ValidationError):
        services.proposal_decide(actor=cast.operator_a, proposal=proposal, side="candidate", decision="yes")
    services.proposal_create(actor=cast.operator_a, opportunity=opening, person=person_a)
    assert Proposal.objects.filter(person=person_a).count() == 2
