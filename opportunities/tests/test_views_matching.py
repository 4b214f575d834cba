"""Pages of opportunities, work profiles, matches and proposals: who reaches them, what they show, writes."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.loader import load_instruments
from assessments.models import Assessment, InstrumentVersion
from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_person
from opportunities.models import Opportunity, Proposal, WorkProfile
from opportunities.tests.conftest import give_company_consent, make_opportunity, make_profile
from plans.vocabulary import load_vocabulary

MISSING_PK = 999_999
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def same_page(response) -> str:
    return _CSRF.sub(r"\1", response.content.decode()).replace(response.wsgi_request.path, "PATH")


@pytest.fixture
def opening(cast, employer):
    """The cast company's open warehouse job in municipio 9, ATECO 52 (the employer's sector)."""
    return make_opportunity(
        cast.company,
        "Addetto logistica",
        employer=employer,
        occupation_code="9321",
        municipio=9,
        hours_per_week=20,
        required_skills=["warehouse", "driving_licence_b"],
    )


# ---------------------------------------------------------------------------------------------- opportunities


def test_scouting_operator_publishes_an_opportunity_through_the_page(cast, employer, client_for):
    client = client_for(cast.operator_a)
    assert client.get(reverse("opportunities:opportunity_create")).status_code == 200
    response = client.post(
        reverse("opportunities:opportunity_create"),
        {
            "kind": "internship",
            "title": "Tirocinio di magazzino",
            "occupation_code": "93",
            "employer": employer.pk,
            "status": "open",
            "days": ["1", "2"],
            "required_skills": ["warehouse"],
            "desired_skills": ["forklift"],
            "seats": "2",
        },
    )
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "opportunities:opportunity_detail", args=[opportunity.pk]
    )
    assert (opportunity.organisation, opportunity.days, opportunity.seats) == (cast.org_a, [1, 2], 2)
    page = client.get(response.url).content.decode()
    assert "Warehouse work" in page and "Forklift licence" in page


def test_a_service_error_lands_on_the_form(cast, client_for):
    response = client_for(cast.operator_a).post(
        reverse("opportunities:opportunity_create"),
        {
            "kind": "job",
            "title": "x",
            "status": "open",
            "required_skills": ["cleaning"],
            "desired_skills": ["cleaning"],
        },
    )
    assert response.status_code == 200 and "either required or desired" in response.content.decode()
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("name", ["opportunities:opportunity_edit", "opportunities:opportunity_close"])
def test_another_organisations_opportunity_is_the_missing_page(cast, client_for, name):
    theirs = make_opportunity(cast.org_b, status="open")
    client = client_for(cast.operator_a)
    hidden, missing = client.post(reverse(name, args=[theirs.pk])), client.post(reverse(name, args=[MISSING_PK]))
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    theirs.refresh_from_db()
    assert (theirs.status, theirs.version) == ("open", 1)


def test_company_referent_edits_their_opportunity_and_closes_it(cast, opening, client_for):
    client = client_for(cast.company_referent)
    form = client.get(reverse("opportunities:opportunity_edit", args=[opening.pk]))
    assert form.status_code == 200
    data = {
        "kind": "job",
        "title": "Addetto logistica part-time",
        "status": "open",
        "employer": opening.employer_id,
        "occupation_code": "93",
        "version": "1",
        "seats": "1",
    }
    assert client.post(reverse("opportunities:opportunity_edit", args=[opening.pk]), data).status_code == 302
    stale = client.post(reverse("opportunities:opportunity_edit", args=[opening.pk]), data | {"title": "Altro"})
    assert stale.status_code == 409
    client.post(reverse("opportunities:opportunity_close", args=[opening.pk]))
    opening.refresh_from_db()
    assert (opening.title, opening.status) == ("Addetto logistica part-time", "closed")


@pytest.mark.parametrize("role", ["clinician_a", "analyst", "sysadmin"])
def test_others_find_no_opportunity_form(cast, client_for, role):
    assert client_for(getattr(cast, role)).get(reverse("opportunities:opportunity_create")).status_code == 404


# ---------------------------------------------------------------------------------------------- work profiles


def test_the_treating_team_reads_the_work_profile_audited(cast, candidate, client_for):
    response = client_for(cast.operator_a).get(reverse("opportunities:work_profile", args=[candidate.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Warehouse work: 4" in body and "Registered" in body
    assert "F20" not in body  # never the diagnosis
    event = AuditEvent.objects.get(action=Action.WORK_PROFILE_VIEW)
    assert event.person_id == candidate.pk and event.actor == cast.operator_a


@pytest.mark.parametrize("name", ["work_profile", "work_profile_edit", "person_matches"])
@pytest.mark.parametrize("role", ["operator_b", "analyst", "company_referent", "sysadmin", "dpo"])
def test_outside_the_treating_team_a_candidates_pages_are_the_missing_page(cast, candidate, client_for, name, role):
    client = client_for(getattr(cast, role))
    hidden = client.get(reverse(f"opportunities:{name}", args=[candidate.pk]))
    missing = client.get(reverse(f"opportunities:{name}", args=[MISSING_PK]))
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    assert not AuditEvent.objects.filter(action__in=[Action.WORK_PROFILE_VIEW, Action.MATCH_VIEW]).exists()


def test_a_new_profile_is_prefilled_from_the_latest_skills_balance(cast, person_a, client_for):
    load_vocabulary()
    load_instruments()
    version = InstrumentVersion.objects.get(instrument__code="skills_balance")
    common = {"person": person_a, "instrument_version": version, "organisation": cast.org_a, "unit": cast.unit_a}
    done = {"status": "completed", "completed_at": timezone.now()}
    Assessment.objects.create(
        **common,
        author=cast.operator_a,
        **done,
        assessed_on=datetime.date(2026, 3, 1),
        answers={"ts_teamwork": "2", "interest_first": "41"},
    )
    Assessment.objects.create(
        **common,
        author=cast.operator_a,
        **done,
        assessed_on=datetime.date(2026, 9, 1),
        answers={"ts_teamwork": "4", "ts_stress": "2", "interest_first": "93", "interest_groups": ["93", "52"]},
    )
    Assessment.objects.create(
        **common,
        author=cast.operator_a,
        status="draft",
        assessed_on=datetime.date(2026, 10, 1),
        answers={"ts_teamwork": "1"},
    )
    client = client_for(cast.operator_a)
    form = client.get(reverse("opportunities:work_profile_edit", args=[person_a.pk])).context["form"]
    assert form.initial["skill_ts_teamwork"] == "4" and form.initial["skill_ts_stress"] == "2"
    assert (form.initial["isco_1"], form.initial["isco_2"]) == ("93", "52")
    response = client.post(
        reverse("opportunities:work_profile_edit", args=[person_a.pk]),
        {
            "isco_1": "93",
            "ateco_1": "52",
            "skill_ts_teamwork": "4",
            "skill_warehouse": "3",
            "max_hours_per_week": "25",
            "days": ["1", "2", "3"],
            "municipi": ["M9"],
            "comuni": "Sesto San Giovanni, Cinisello Balsamo",
            "disclosure": "details",
            "disclosure_text": "Un referente fisso in azienda aiuta.",
            "skills_source": form.initial["skills_source"],
        },
    )
    assert response.status_code == 302
    profile = WorkProfile.objects.get(person=person_a)
    assert profile.wishes == [{"kind": "isco", "code": "93"}, {"kind": "ateco", "code": "52"}]
    assert profile.skills == {"ts_teamwork": 4, "warehouse": 3}
    assert profile.reachable_areas == ["M9", "Sesto San Giovanni", "Cinisello Balsamo"]
    assert profile.skills_source == "skills_balance 2026-09-01"


# ---------------------------------------------------------------------------------------------- matches


def test_an_operator_sees_explained_matches_and_proposes_one(cast, candidate, opening, client_for):
    make_opportunity(cast.org_b, "Corso patente B", kind="course", skills_taught=["driving_licence_b"])
    client = client_for(cast.operator_a)
    response = client.get(reverse("opportunities:person_matches", args=[candidate.pk]))
    body = response.content.decode()
    assert body.count('data-testid="match-card"') == 2
    assert "Matches occupation wish no. 1" in body and "Matches sector wish no. 1" in body
    assert "Required skills missing: Driving licence B" in body and "Corso patente B" in body
    assert AuditEvent.objects.get(action=Action.MATCH_VIEW).person_id == candidate.pk
    proposed = client.post(
        reverse("opportunities:proposal_create", args=[candidate.pk]), {"opportunity": opening.pk, "note": "Puntuale"}
    )
    proposal = Proposal.objects.get()
    assert proposed.url == reverse("opportunities:proposal_detail", args=[proposal.pk])
    assert (
        "Proposed: Waiting for decisions"
        in client.get(reverse("opportunities:person_matches", args=[candidate.pk])).content.decode()
    )


def test_the_matches_page_query_count_does_not_grow_with_the_results(cast, candidate, employer, client_for):
    client = client_for(cast.operator_a)
    url = reverse("opportunities:person_matches", args=[candidate.pk])
    client.get(url)  # warm the per-process caches (vocabularies, content types)
    counts = []
    for n in (2, 20):
        Opportunity.objects.all().delete()
        for i in range(n):
            make_opportunity(cast.company, f"Posto {i}", employer=employer, required_skills=["forklift"])
            make_opportunity(
                cast.org_b, f"Corso {i}", kind="course", skills_taught=["forklift"], desired_skills=["english_basic"]
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode().count('data-testid="match-card"') == min(2 * n, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_opportunitys_candidates_page_shows_the_caseload_who_consented(cast, candidate, opening, client_for):
    no_consent = make_person(registered_by=cast.org_a, last_name="Senzaconsenso")
    make_case(person=no_consent, unit=cast.unit_a, case_manager=cast.operator_a)
    make_profile(no_consent, organisation=cast.org_a, updated_by=cast.operator_a)
    body = client_for(cast.operator_a).get(reverse("opportunities:opportunity_candidates", args=[opening.pk]))
    body = body.content.decode()
    assert body.count('data-testid="candidate-card"') == 1 and "Rossi Maria" in body and "Senzaconsenso" not in body
    assert AuditEvent.objects.get(action=Action.MATCH_VIEW).detail["persons"] == [candidate.pk]


def test_the_company_finds_no_candidates_page(cast, opening, client_for):
    url = reverse("opportunities:opportunity_candidates", args=[opening.pk])
    assert client_for(cast.company_referent).get(url).status_code == 404


# ---------------------------------------------------------------------------------------------- the company view


def _propose(cast, person, opportunity, note=""):
    from opportunities import services

    return services.proposal_create(actor=cast.operator_a, opportunity=opportunity, person=person, note=note)


@pytest.mark.parametrize(
    ("disclosure", "text", "shown", "hidden"),
    [
        ("none", "", "chose not to share information on disability", ["Law 68", "Un referente"]),
        ("disability", "", "Registered for targeted placement (Law 68/1999).", ["Un referente"]),
        ("details", "Un referente fisso aiuta.", "Un referente fisso aiuta.", []),
    ],
)
def test_the_company_sees_the_candidate_within_their_disclosure_never_clinical_data(
    cast, candidate, opening, client_for, disclosure, text, shown, hidden
):
    WorkProfile.objects.filter(person=candidate).update(
        disclosure=disclosure, disclosure_text=text, notes="Nota riservata del team"
    )
    proposal = _propose(cast, candidate, opening, note="Disponibile da subito")
    client = client_for(cast.company_referent)
    for url in (
        reverse("opportunities:proposal_detail", args=[proposal.pk]),
        reverse("opportunities:opportunity_detail", args=[opening.pk]),
    ):
        body = client.get(url).content.decode()
        assert "Maria R." in body and "Rossi" not in body and shown in body
        assert "Warehouse work" in body and "Disponibile da subito" in body
        for word in [*hidden, "F20", "Schizophrenia", "Nota riservata", candidate.fiscal_code]:
            assert word not in body


def test_the_company_no_longer_sees_a_candidate_who_withdrew_consent(cast, candidate, opening, client_for):
    proposal = _propose(cast, candidate, opening)
    candidate.consents.update(withdrawn_on=timezone.localdate())
    client = client_for(cast.company_referent)
    assert client.get(reverse("opportunities:proposal_detail", args=[proposal.pk])).status_code == 404
    assert "Maria" not in client.get(reverse("opportunities:proposal_board")).content.decode()


def test_another_company_finds_the_missing_page(cast, candidate, opening, other_referent, client_for):
    proposal = _propose(cast, candidate, opening)
    client = client_for(other_referent)
    for name in ("proposal_detail", "proposal_withdraw"):
        hidden = client.post(reverse(f"opportunities:{name}", args=[proposal.pk]))
        missing = client.post(reverse(f"opportunities:{name}", args=[MISSING_PK]))
        assert hidden.status_code == missing.status_code == 404
    hidden = client.post(reverse("opportunities:proposal_decide", args=[proposal.pk, "employer"]), {"decision": "yes"})
    assert hidden.status_code == 404
    proposal.refresh_from_db()
    assert proposal.employer_decision == "pending"


def test_the_company_records_its_yes_and_the_proposal_is_ready_for_a_path(cast, candidate, opening, client_for):
    proposal = _propose(cast, candidate, opening)
    today = timezone.localdate().isoformat()
    operator = client_for(cast.operator_a)
    operator.post(
        reverse("opportunities:proposal_decide", args=[proposal.pk, "candidate"]),
        {"candidate-decision": "yes", "candidate-decided_on": today},
    )
    company = client_for(cast.company_referent)
    page = company.get(reverse("opportunities:proposal_detail", args=[proposal.pk])).content.decode()
    assert "Record the employer's decision" in page and "Record the candidate's decision" not in page
    no_reason = company.post(
        reverse("opportunities:proposal_decide", args=[proposal.pk, "employer"]),
        {"employer-decision": "no", "employer-decided_on": today},
    )
    assert no_reason.status_code == 422 and "Choose the reason" in no_reason.content.decode()
    company.post(
        reverse("opportunities:proposal_decide", args=[proposal.pk, "employer"]),
        {"employer-decision": "yes", "employer-decided_on": today},
    )
    proposal.refresh_from_db()
    assert proposal.ready_for_path
    assert (
        "ready to start a path"
        in company.get(reverse("opportunities:proposal_detail", args=[proposal.pk])).content.decode()
    )


# ---------------------------------------------------------------------------------------------- the board and equity


def test_the_proposals_board_query_count_does_not_grow(cast, employer, client_for):
    client = client_for(cast.operator_a)
    client.get(reverse("opportunities:proposal_board"))
    counts = []
    for n in (2, 12):
        for i in range(n - len(counts) * 2):
            person = make_person(registered_by=cast.org_a)
            make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
            give_company_consent(person, by=cast.operator_a, organisation=cast.org_a)
            _propose(cast, person, make_opportunity(cast.company, f"Posto {n}-{i}", employer=employer))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("opportunities:proposal_board"))
        assert response.content.decode().count('data-testid="proposal-row"') == Proposal.objects.count()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    company = client_for(cast.company_referent)
    with CaptureQueriesContext(connection) as queries:
        body = company.get(reverse("opportunities:proposal_board")).content.decode()
    assert body.count('data-testid="proposal-row"') == 12


def test_equity_per_asst_counts_only(cast, candidate, opening, client_for):
    _propose(cast, candidate, opening)
    for _ in range(3):
        make_case(person=make_person(registered_by=cast.org_b), unit=cast.unit_b, case_manager=cast.operator_b)
    body = client_for(cast.analyst).get(reverse("opportunities:equity")).content.decode()
    rows = re.findall(r'data-testid="equity-row">\s*<th scope="row">([^<]+)</th>((?:\s*<td[^>]*>[^<]*</td>)+)', body)
    cells = {name: re.findall(r">([^<]*)</td>", tds) for name, tds in rows}
    assert cells["ASST FBF Sacco"] == ["1", "25.0%", "1", "100.0%", "0", "0.0%", "4.0"]
    assert cells["ASST Niguarda"] == ["3", "75.0%", "0", "0.0%", "0", "0.0%", "0.0"]
    assert "Rossi" not in body
    assert client_for(cast.operator_a).get(reverse("opportunities:equity")).status_code == 404


def test_reading_a_proposal_page_is_audited_for_the_team_and_the_company(cast, candidate, opening, client_for):
    from audit.choices import Action
    from audit.models import AuditEvent

    proposal = _propose(cast, candidate, opening)
    for user in (cast.operator_a, cast.company_referent):
        assert client_for(user).get(reverse("opportunities:proposal_detail", args=[proposal.pk])).status_code == 200
        event = AuditEvent.objects.filter(action=Action.PROPOSAL_VIEW, actor=user).get()
        assert (event.person_id, event.object_id) == (candidate.pk, str(proposal.pk))
