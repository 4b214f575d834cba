"""Matching on stored data: the facts built from records, health data without effect, caseload and consent."""

import datetime

import pytest

from core.testing.cast import make_case, make_person
from opportunities import selectors
from opportunities.tests.conftest import give_company_consent, make_opportunity, make_profile
from people.models import Person

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def pool(cast, employer):
    """Opportunities across the network: the employer is in ATECO 52, municipio 9."""
    return {
        "wished": make_opportunity(
            cast.org_b,
            "Magazziniere",
            occupation_code="9321",
            employer=employer,
            municipio=9,
            hours_per_week=25,
            required_skills=["warehouse", "forklift"],
        ),
        "other": make_opportunity(cast.company, "Impiegato", occupation_code="41", municipio=8, hours_per_week=20),
        "too_long": make_opportunity(cast.org_a, "Turni pieni", occupation_code="93", hours_per_week=40),
        "far": make_opportunity(cast.org_a, "A Lodi", occupation_code="93", comune="Lodi"),
        "law68": make_opportunity(cast.company, "Posto L.68", kind="law68", occupation_code="93", municipio=9),
        "draft": make_opportunity(cast.org_b, "Bozza", status="draft", occupation_code="93"),
        "course": make_opportunity(
            cast.org_b,
            "Corso carrellisti",
            kind="course",
            skills_taught=["forklift"],
            starts_on=TODAY + datetime.timedelta(days=30),
        ),
    }


def titles(results) -> list[str]:
    return [r.opportunity.title for r in results]


def test_a_candidates_matches_come_from_the_whole_network_filtered_and_explained(cast, candidate, pool):
    results = selectors.matches_for_person(cast.operator_a, candidate, today=TODAY)
    # 45 + 15 + (12 + 6) + 5; 45 + 30 + 5; then two at 0 + 30 + 5, the older first.
    assert titles(results) == ["Magazziniere", "Posto L.68", "Impiegato", "Corso carrellisti"]
    assert [r.match.total for r in results] == [83, 80, 35, 35]
    first = results[0]
    assert first.match.score.occupation_wish.code == "93" and first.match.score.sector_wish.code == "52"
    assert first.match.score.required_held == ("warehouse",) and first.match.score.required_weak == ("forklift",)
    assert [c.title for c in first.courses["forklift"]] == ["Corso carrellisti"]
    assert first.why == "higher_total"


def test_changing_the_diagnosis_group_changes_nothing(cast, candidate, pool):
    def ranking():
        return [
            (r.opportunity.pk, r.match.total, r.match.score)
            for r in selectors.matches_for_person(cast.operator_a, Person.objects.get(pk=candidate.pk), today=TODAY)
        ]

    before = ranking()
    for group in ("F30-F39", "F60-F69", ""):
        Person.objects.filter(pk=candidate.pk).update(diagnosis_group=group, civil_invalidity_percent=100)
        assert ranking() == before

    # And from the opportunity's side.
    def pairs():
        results = selectors.candidates_for_opportunity(cast.operator_a, pool["wished"], today=TODAY)
        return [(r.person.pk, r.match.total) for r in results]

    seen = pairs()
    Person.objects.filter(pk=candidate.pk).update(diagnosis_group="F20-F29")
    assert pairs() == seen


def test_law68_positions_need_the_registration_on_the_persons_record(cast, candidate, pool):
    Person.objects.filter(pk=candidate.pk).update(law68_registered=False)
    assert "Posto L.68" not in titles(selectors.matches_for_person(cast.operator_a, candidate, today=TODAY))


def test_accepted_proposals_use_up_the_seats(cast, candidate, pool):
    from opportunities.models import Proposal

    other = make_person(registered_by=cast.org_b)
    Proposal.objects.create(
        opportunity=pool["wished"],
        person=other,
        organisation=cast.org_b,
        proposed_by=cast.operator_b,
        proposed_on=TODAY,
        candidate_decision="yes",
        employer_decision="yes",
    )
    assert "Magazziniere" not in titles(selectors.matches_for_person(cast.operator_a, candidate, today=TODAY))


def test_an_opportunitys_candidates_are_the_operators_caseload_who_consented(cast, candidate, pool):
    others_case = make_person(registered_by=cast.org_a)
    make_case(person=others_case, unit=cast.unit_a, case_manager=cast.coordinator_a)
    give_company_consent(others_case, by=cast.operator_a, organisation=cast.org_a)
    make_profile(others_case, organisation=cast.org_a, updated_by=cast.operator_a)
    no_consent = make_person(registered_by=cast.org_a)
    make_case(person=no_consent, unit=cast.unit_a, case_manager=cast.operator_a)
    make_profile(no_consent, organisation=cast.org_a, updated_by=cast.operator_a)

    def people(user):
        return [r.person.pk for r in selectors.candidates_for_opportunity(user, pool["wished"], today=TODAY)]

    assert people(cast.operator_a) == [candidate.pk]
    # The coordinator's caseload is the organisation's.
    assert people(cast.coordinator_a) == [candidate.pk, others_case.pk]
    assert people(cast.operator_b) == []


def test_withdrawn_consent_takes_the_candidate_out_at_once(cast, candidate, pool):
    candidate.consents.update(withdrawn_on=TODAY - datetime.timedelta(days=1))
    assert selectors.candidates_for_opportunity(cast.operator_a, pool["wished"], today=TODAY) == []
