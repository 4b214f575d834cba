"""Proposals through the API: the treating team proposes, both sides decide, and the company reads only its card."""

import datetime

import pytest
from django.utils import timezone

from api.tests.arrange import all_keys, queries_of
from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_person
from opportunities.models import Proposal, WorkProfile
from opportunities.tests.conftest import (  # noqa: F401 (fixtures)
    candidate,
    employer,
    give_company_consent,
    make_opportunity,
    make_profile,
    other_employer,
    other_referent,
)
from people import services as people_services

pytestmark = pytest.mark.django_db

# What a company must never read of a candidate: identifiers, the record, health data, the team's notes.
NEVER_FOR_A_COMPANY = {
    "person",
    "person_name",
    "full_name",
    "fiscal_code",
    "last_name",
    "birth_date",
    "diagnosis_group",
    "civil_invalidity_percent",
    "notes",
    "skills",
    "wishes",
    "proposed_by",
}


@pytest.fixture
def job(cast, employer):  # noqa: F811
    """The cast company's open warehouse job (ATECO 52, municipio 9)."""
    return make_opportunity(
        cast.company,
        "Addetto logistica",
        employer=employer,
        occupation_code="9321",
        municipio=9,
        hours_per_week=20,
        required_skills=["warehouse", "driving_licence_b"],
        seats=1,
    )


def propose(api, person, opportunity, note="Puntuale e motivata.", **headers):
    body = {"person": person.pk, "opportunity": opportunity.pk, "note": note}
    return api.post("/api/v1/proposals/", body, **headers)


def test_the_treating_team_proposes_and_the_write_is_audited(cast, candidate, job, api_for):  # noqa: F811
    response = propose(api_for(cast.operator_a), candidate, job)
    assert response.status_code == 201
    body = response.json()
    proposal = Proposal.objects.get(pk=body["id"])
    assert (proposal.person, proposal.organisation, proposal.proposed_by) == (candidate, cast.org_a, cast.operator_a)
    assert (body["view"], body["person"], body["status"], body["candidate_decision"]) == (
        "team",
        candidate.pk,
        "pending",
        "pending",
    )
    assert "candidate" not in body
    event = AuditEvent.objects.get(action=Action.PROPOSAL_SAVE)
    assert event.person_id == candidate.pk and event.detail == {
        "opportunity": job.pk,
        "status": "pending",
        "created": True,
    }
    # The match now carries the proposal.
    matches = api_for(cast.operator_a).get(f"/api/v1/candidates/{candidate.pk}/matches/").json()["results"]
    assert [(m["proposal"], m["proposal_status"]) for m in matches if m["opportunity"]["id"] == job.pk] == [
        (proposal.pk, "pending")
    ]


@pytest.mark.parametrize(
    "arrange, message",
    [
        ("twice", "already proposed"),
        ("no_consent", "has not consented"),
        ("closed", "opportunity"),  # a closed opportunity of another organisation is out of the catalogue
        ("no_seats", "no seats left"),
        ("own_suspended", "not open"),
    ],
)
def test_a_proposal_that_cannot_be_made_is_a_400_and_nothing_is_saved(
    cast,
    candidate,  # noqa: F811
    job,
    api_for,
    arrange,
    message,
):
    api = api_for(cast.operator_a)
    if arrange == "twice":
        assert propose(api, candidate, job).status_code == 201
    elif arrange == "no_consent":
        candidate.consents.update(withdrawn_on=timezone.localdate() - datetime.timedelta(days=1))
    elif arrange == "closed":
        job.status = "closed"
        job.save()
    elif arrange == "own_suspended":
        job = make_opportunity(cast.org_a, "Sospesa", status="suspended")
    elif arrange == "no_seats":
        other = make_person(registered_by=cast.org_a)
        Proposal.objects.create(
            opportunity=job,
            person=other,
            organisation=cast.org_a,
            proposed_by=cast.operator_a,
            proposed_on=timezone.localdate(),
            candidate_decision="yes",
            employer_decision="yes",
        )
    before = Proposal.objects.count()
    with api.sending_invalid_requests():
        response = propose(api, candidate, job, note="x", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.json()
    errors = response.json()
    assert message in errors or any(message in text for text in errors.get("non_field_errors", [])), errors
    assert Proposal.objects.count() == before


def test_who_may_not_propose(cast, candidate, job, api_for):  # noqa: F811
    # Another organisation's operator does not see the person: an unknown id.
    api = api_for(cast.operator_b)
    with api.sending_invalid_requests():
        response = propose(api, candidate, job)
    assert response.status_code == 400 and "person" in response.json()
    # A peer expert of the treating team reads but does not write; analysts and sysadmins write nothing.
    for who in ("peer_a", "analyst", "sysadmin"):
        assert propose(api_for(getattr(cast, who)), candidate, job).status_code == 403
    # A company referent sees no person to propose.
    referent = api_for(cast.company_referent)
    with referent.sending_invalid_requests():
        assert propose(referent, candidate, job).status_code == 400
    assert not Proposal.objects.exists()


def test_the_company_sees_its_candidates_within_disclosure_and_consent(
    cast,
    candidate,  # noqa: F811
    job,
    other_referent,  # noqa: F811
    api_for,
):
    proposal_id = propose(api_for(cast.operator_a), candidate, job).json()["id"]
    referent = api_for(cast.company_referent)

    listed = referent.get("/api/v1/proposals/", HTTP_ACCEPT_LANGUAGE="en").json()
    detail = referent.get(f"/api/v1/proposals/{proposal_id}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [row["id"] for row in listed["results"]] == [proposal_id]
    for body in (listed["results"][0], detail):
        assert body["view"] == "company"
        assert not all_keys(body) & NEVER_FOR_A_COMPANY, all_keys(body) & NEVER_FOR_A_COMPANY
        card = body["candidate"]
        assert card["display_name"] == "Maria R."
        # Disclosure "none": not a word of a disability, not even the Law 68 registration.
        assert (card["disclosure"], card["law68_registered"], card["disclosure_text"]) == ("none", None, "")
        assert card["skills_held"] == ["Warehouse work"] and card["skills_to_develop"] == ["Driving licence B"]
        assert "Olga Operatrice" in card["contact"]
        assert body["note"] == "Puntuale e motivata."
    assert "Rossi" not in str(detail)

    profile = WorkProfile.objects.get(person=candidate)
    profile.disclosure, profile.disclosure_text = "details", "Un tutor nelle prime settimane."
    profile.save()
    card = referent.get(f"/api/v1/proposals/{proposal_id}/").json()["candidate"]
    assert (card["law68_registered"], card["disclosure_text"]) == (True, "Un tutor nelle prime settimane.")

    # Another company: no such proposal, as if it did not exist.
    other = api_for(other_referent)
    assert other.get("/api/v1/proposals/").json()["count"] == 0
    hidden, missing = other.get(f"/api/v1/proposals/{proposal_id}/"), other.get("/api/v1/proposals/987654/")
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert other.post(f"/api/v1/proposals/{proposal_id}/employer-decision/", {"decision": "yes"}).status_code == 404

    # Withdrawing the consent hides the candidate from the company at once.
    people_services.consent_withdraw(actor=cast.operator_a, consent=candidate.consents.get(purpose="company_contact"))
    assert referent.get(f"/api/v1/proposals/{proposal_id}/").status_code == 404
    assert referent.get("/api/v1/proposals/").json()["count"] == 0


def test_both_yeses_make_it_ready_for_a_path(cast, candidate, job, api_for):  # noqa: F811
    proposal_id = propose(api_for(cast.operator_a), candidate, job).json()["id"]
    referent = api_for(cast.company_referent)
    # The company decides for the employer only; the candidate's side and the withdrawal are the team's.
    assert referent.post(f"/api/v1/proposals/{proposal_id}/candidate-decision/", {"decision": "yes"}).status_code == 403
    assert referent.post(f"/api/v1/proposals/{proposal_id}/withdraw/").status_code == 403
    employer_yes = referent.post(f"/api/v1/proposals/{proposal_id}/employer-decision/", {"decision": "yes"})
    assert employer_yes.status_code == 200 and employer_yes.json()["view"] == "company"
    assert employer_yes.json()["employer_decision"] == "yes" and employer_yes.json()["status"] == "pending"

    candidate_yes = api_for(cast.operator_a).post(
        f"/api/v1/proposals/{proposal_id}/candidate-decision/", {"decision": "yes"}
    )
    assert candidate_yes.status_code == 200
    assert (candidate_yes.json()["status"], candidate_yes.json()["ready_for_path"]) == ("accepted", True)
    proposal = Proposal.objects.get(pk=proposal_id)
    assert (proposal.employer_decided_by, proposal.candidate_decided_on) == (
        cast.company_referent,
        timezone.localdate(),
    )
    decisions = AuditEvent.objects.filter(action=Action.PROPOSAL_DECIDE, person=candidate).order_by("pk")
    assert [(e.actor, e.detail["side"], e.detail["decision"]) for e in decisions] == [
        (cast.company_referent, "employer", "yes"),
        (cast.operator_a, "candidate", "yes"),
    ]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "no"}, "reason"),
        ({"decision": "no", "reason": "filled"}, "reason"),  # an employer's reason on the candidate's side
        ({"decision": "maybe"}, "decision"),
        ({"decision": "yes", "decided_on": "2999-01-01"}, "decided_on"),
        ({"decision": "yes", "decided_on": "2020-01-01"}, "decided_on"),
    ],
)
def test_a_bad_decision_is_a_400_and_changes_nothing(cast, candidate, job, api_for, body, field):  # noqa: F811
    proposal_id = propose(api_for(cast.operator_a), candidate, job).json()["id"]
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        response = api.post(f"/api/v1/proposals/{proposal_id}/candidate-decision/", body)
    assert response.status_code == 400 and field in response.json(), response.json()
    proposal = Proposal.objects.get(pk=proposal_id)
    assert (proposal.candidate_decision, proposal.status) == ("pending", "pending")
    assert not AuditEvent.objects.filter(action=Action.PROPOSAL_DECIDE).exists()


def test_a_no_with_its_reason_and_a_withdrawal(cast, candidate, job, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    first = propose(api, candidate, job).json()["id"]
    declined = api.post(f"/api/v1/proposals/{first}/employer-decision/", {"decision": "no", "reason": "skills"})
    assert declined.status_code == 200
    assert (declined.json()["status"], declined.json()["employer_reason"]) == ("declined_employer", "skills")
    # Only a proposal still waiting can be withdrawn.
    assert api.post(f"/api/v1/proposals/{first}/withdraw/").status_code == 400

    course = make_opportunity(cast.org_a, "Corso", kind="course")
    second = propose(api, candidate, course).json()["id"]
    withdrawn = api.post(f"/api/v1/proposals/{second}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert AuditEvent.objects.filter(action=Action.PROPOSAL_SAVE, detail__withdrawn=True).count() == 1


def test_lists_per_person_opportunity_and_employer(cast, candidate, job, other_employer, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    other = make_person(registered_by=cast.org_a)
    make_case(person=other, unit=cast.unit_a, case_manager=cast.operator_a)
    give_company_consent(other, by=cast.operator_a, organisation=cast.org_a)
    make_profile(other, organisation=cast.org_a, updated_by=cast.operator_a)
    coop_job = make_opportunity(cast.org_a, "Pulizie", employer=other_employer)
    a = propose(api, candidate, job).json()["id"]
    b = propose(api, other, job).json()["id"]
    c = propose(api, candidate, coop_job).json()["id"]

    def ids(**params):
        return sorted(row["id"] for row in api.get("/api/v1/proposals/", params).json()["results"])

    assert ids() == sorted([a, b, c])
    assert ids(person=candidate.pk) == sorted([a, c])
    assert ids(opportunity=job.pk) == sorted([a, b])
    assert ids(employer=other_employer.pk) == [c]
    assert ids(status="accepted") == []
    # The company cannot tell candidates apart by filtering on person ids.
    referent = api_for(cast.company_referent)
    assert referent.get("/api/v1/proposals/", {"person": candidate.pk}).json()["count"] == 0
    assert referent.get("/api/v1/proposals/").json()["count"] == 2
    # Another organisation's operator sees none of A's candidates' proposals.
    assert api_for(cast.operator_b).get("/api/v1/proposals/").json()["count"] == 0
    assert api_for(cast.operator_b).get(f"/api/v1/proposals/{a}/").status_code == 404


def test_proposal_lists_run_the_same_queries_for_many_rows(cast, job, api_for):
    team, company = api_for(cast.operator_a), api_for(cast.company_referent)

    def add(n):
        for _ in range(n):
            person = make_person(registered_by=cast.org_a)
            make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
            give_company_consent(person, by=cast.operator_a, organisation=cast.org_a)
            make_profile(person, organisation=cast.org_a, updated_by=cast.operator_a, disclosure="disability")
            assert propose(team, person, job).status_code == 201

    add(1)
    few = (queries_of(lambda: team.get("/api/v1/proposals/")), queries_of(lambda: company.get("/api/v1/proposals/")))
    add(4)
    many = (queries_of(lambda: team.get("/api/v1/proposals/")), queries_of(lambda: company.get("/api/v1/proposals/")))
    assert few == many
    assert company.get("/api/v1/proposals/").json()["count"] == 5


def test_reading_a_proposal_is_audited_on_the_api(cast, candidate, job, api_for):  # noqa: F811
    api = api_for(cast.operator_a)
    proposal_id = propose(api, candidate, job).json()["id"]
    assert api.get(f"/api/v1/proposals/{proposal_id}/").status_code == 200
    event = AuditEvent.objects.get(action=Action.PROPOSAL_VIEW)
    assert (event.person_id, event.object_id, event.actor) == (candidate.pk, str(proposal_id), cast.operator_a)
    assert api.get(f"/api/v1/proposals/?person={candidate.pk}").status_code == 200
    listed = AuditEvent.objects.filter(action=Action.PROPOSAL_VIEW).latest("pk")
    assert listed.person_id == candidate.pk and listed.detail == {"list": True, "proposals": [proposal_id]}
