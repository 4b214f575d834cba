"""The batch of every candidate's matches gives exactly what the single-match path gives (docs/matching.md)."""

import dataclasses
import datetime
import itertools
import random

import pytest

from core.testing.cast import make_person
from opportunities import matching, selectors
from opportunities.matching import (
    CandidateFacts,
    OpportunityFacts,
    OpportunityIndex,
    area_keys,
    explain_rank,
    rank_opportunities,
    top_opportunities_for_all,
)
from opportunities.tests.conftest import make_opportunity, make_profile

TODAY = datetime.date(2026, 11, 30)
SKILLS = ["warehouse", "cleaning", "ts_teamwork", "cash_handling", "forklift", "data_entry"]


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def explained(matches: list[matching.Match]) -> list[tuple]:
    """Everything a page shows of a ranking: rank, opportunity, score with its parts, and why it ranks there."""
    return [
        (
            m.rank,
            m.opportunity.opportunity_id,
            m.score,
            explain_rank(m, matches[i + 1] if i + 1 < len(matches) else None),
        )
        for i, m in enumerate(matches)
    ]


def batch(candidates, opportunities, *, limit=20) -> dict[int, list[matching.Match]]:
    return {
        c.person_id: top for c, top in top_opportunities_for_all(candidates, opportunities, today=TODAY, limit=limit)
    }


def assert_same_as_single(candidates, opportunities, *, limit=20) -> dict[int, list[matching.Match]]:
    results = batch(candidates, opportunities, limit=limit)
    assert list(results) == [c.person_id for c in candidates]
    for c in candidates:
        single = rank_opportunities(c, opportunities, today=TODAY, limit=limit)
        assert explained(results[c.person_id]) == explained(single), c
        assert results[c.person_id] == single
    return results


# ---------------------------------------------------------------------------------------------- a hand-built set

M9, M3 = area_keys(municipio=9), area_keys(municipio=3)
POOL = [
    OpportunityFacts(1, "job", occupation="9321", sector="52", areas=M9, hours=25, required_skills=("warehouse",)),
    OpportunityFacts(2, "internship", occupation="93", sector="52", areas=M3, required_skills=("forklift", "cleaning")),
    OpportunityFacts(3, "law68", occupation="93", areas=M9, hours=20),
    OpportunityFacts(4, "job", occupation="41", sector="69", areas=frozenset({"lodi"}), hours=36),
    OpportunityFacts(5, "course", starts_on=days(10), required_skills=(), desired_skills=("forklift",)),
    OpportunityFacts(6, "course", starts_on=days(-5)),  # started: missed by everyone
    OpportunityFacts(7, "job", occupation="93", areas=M9, ends_on=days(5)),  # ends before some can start
    OpportunityFacts(8, "job", occupation="93", areas=M9, seats_left=0),  # no seats: never a match
    OpportunityFacts(9, "volunteering", occupation="9112", sector="81", days=frozenset({6, 7})),
    OpportunityFacts(10, "job", occupation="9321", sector="52", areas=M9, hours=25, required_skills=("warehouse",)),
    OpportunityFacts(11, "job", occupation="5", sector="47", areas=area_keys(comune="Milano"), hours=40),
    OpportunityFacts(12, "internship", occupation="9", desired_skills=("ts_teamwork", "cash_handling")),
]
PEOPLE = [
    CandidateFacts(
        1,
        wishes=(("isco", "93"), ("ateco", "52")),
        skills={"warehouse": 4, "ts_teamwork": 3, "forklift": 1},
        max_hours=30,
        areas=frozenset({"M9", "M8"}),
        law68_registered=True,
        readiness="supported",
    ),
    CandidateFacts(2),  # nothing known: no wishes, no skills, no constraints
    CandidateFacts(3, wishes=(("isco", "41"),), areas=frozenset({"rho"}), available_from=days(30)),
    CandidateFacts(
        4, wishes=(("ateco", "81"), ("isco", "9")), days=frozenset({1, 2, 3, 4, 5}), readiness="preparatory"
    ),
    CandidateFacts(5, skills={s: 5 for s in SKILLS}, max_hours=0, readiness="open_market"),
]


@pytest.mark.parametrize("limit", [1, 2, 3, 20, None])
def test_the_batch_gives_each_candidate_the_single_match_ranking_and_explanation(limit):
    assert_same_as_single(PEOPLE, POOL, limit=limit)


def test_the_hand_built_rankings():
    """The set is not trivial: the expected rankings written out, so that a wrong reference would show too."""
    results = batch(PEOPLE, POOL)
    ids = {person_id: [m.opportunity.opportunity_id for m in top] for person_id, top in results.items()}
    # Wished and in reach first; Law 68 because registered; 4 (Lodi), 11 (40 h) and 2 (municipio 3) out of reach.
    assert ids[1] == [1, 10, 3, 7, 12, 9, 5]
    assert [m.total for m in results[1]] == [97, 97, 85, 82, 82, 37, 31]
    assert results[1][0].score.skills_to_learn == ()
    assert explain_rank(results[1][0], results[1][1]) == "tie"  # 1 before 10: the lower id
    assert explain_rank(results[1][3], results[1][4]) == "better_skills"
    assert results[1][4].score.desired_missing == ("cash_handling",)
    # Nothing known: every open opportunity with seats but Law 68, scored on skills and readiness only.
    assert ids[2] == [4, 7, 9, 11, 5, 12, 1, 2, 10]
    # Available in 30 days and only in Rho: the course starting before and the job ending before are out.
    assert ids[3] == [9, 12]
    # Working days only: the weekend volunteering is out although its sector is the first wish.
    assert ids[4] == [7, 12, 2, 1, 10, 4, 11, 5]
    # A maximum of 0 hours: only the opportunities without hours.
    assert ids[5] == [7, 2, 12, 5, 9]


def test_the_same_exclusions_as_the_single_path():
    results = batch(PEOPLE, POOL, limit=None)
    everyone = {m.opportunity.opportunity_id for top in results.values() for m in top}
    assert not everyone & {6, 8}  # a course already started, no seats left
    for c in PEOPLE:
        shown = {m.opportunity.opportunity_id for m in results[c.person_id]}
        assert (3 in shown) == c.law68_registered  # Law 68 only for the registered
        for o in POOL:
            unmet = matching.unmet_constraints(c, o, today=TODAY)
            assert (o.opportunity_id in shown) == (not unmet), (c.person_id, o.opportunity_id, unmet)


def test_no_opportunities_gives_every_candidate_an_empty_list():
    assert batch(PEOPLE, []) == {c.person_id: [] for c in PEOPLE}


def test_only_opportunities_without_seats_gives_no_match():
    assert batch(PEOPLE, [dataclasses.replace(o, seats_left=0) for o in POOL]) == {c.person_id: [] for c in PEOPLE}


def test_no_candidates_gives_nothing():
    assert list(top_opportunities_for_all([], POOL, today=TODAY)) == []


def test_a_limit_of_zero_gives_no_match():
    assert batch(PEOPLE, POOL, limit=0) == {c.person_id: [] for c in PEOPLE}


def test_a_limit_inside_a_tie_keeps_the_lower_ids():
    twins = [dataclasses.replace(POOL[0], opportunity_id=i) for i in (50, 7, 31, 12, 44)]
    results = batch([PEOPLE[0], PEOPLE[1]], twins, limit=3)
    assert [m.opportunity.opportunity_id for m in results[1]] == [7, 12, 31]
    assert [explain_rank(m, n) for m, n in itertools.pairwise([*results[1], None])] == ["tie", "tie", "last"]
    assert_same_as_single([PEOPLE[0], PEOPLE[1]], twins, limit=3)


def test_the_batch_reads_candidates_one_at_a_time():
    """Lazy: it works on an endless stream of candidates, so memory does not grow with their number."""
    endless = (dataclasses.replace(PEOPLE[0], person_id=n) for n in itertools.count(1))
    first = list(itertools.islice(top_opportunities_for_all(endless, POOL, today=TODAY), 3))
    assert [c.person_id for c, _top in first] == [1, 2, 3]
    assert all(explained(top) == explained(rank_opportunities(c, POOL, today=TODAY)) for c, top in first)


def test_an_index_built_once_serves_the_whole_batch():
    index = OpportunityIndex(POOL)
    assert batch(PEOPLE, index) == batch(PEOPLE, POOL)


def test_the_order_of_the_catalogue_changes_nothing():
    shuffled = list(POOL)
    random.Random(3).shuffle(shuffled)
    assert batch(PEOPLE, shuffled, limit=None) == batch(PEOPLE, POOL, limit=None)


# ---------------------------------------------------------------------------------------------- random pools


def _random_pool(rng: random.Random, n: int) -> list[OpportunityFacts]:
    places = [
        frozenset(),
        area_keys(comune="Milano"),
        area_keys(comune="Rho"),
        *(area_keys(municipio=m) for m in (1, 3, 9)),
    ]
    rows = []
    for i in range(1, n + 1):
        kind = rng.choice(["course", "internship", "job", "law68", "volunteering"])
        required = tuple(rng.sample(SKILLS, rng.randint(0, 3)))
        rows.append(
            OpportunityFacts(
                opportunity_id=rng.randint(1, 10 * n) * 10 + i % 10,  # ids in no particular order
                kind=kind,
                occupation=rng.choice(["93", "9321", "52", "41", "9112", "9", ""]),
                sector=rng.choice(["52", "47", "56", ""]),
                areas=rng.choice(places),
                hours=rng.choice([None, 10, 20, 30, 40]),
                days=frozenset(rng.choice([[], [1, 2, 3, 4, 5], [6, 7], [1, 3]])),
                starts_on=rng.choice([None, days(rng.randint(-30, 60))]),
                ends_on=rng.choice([None, days(rng.randint(0, 90))]),
                seats_left=rng.choice([0, 1, 2]),
                required_skills=required,
                desired_skills=tuple(s for s in rng.sample(SKILLS, rng.randint(0, 2)) if s not in required),
            )
        )
    # Ids must be unique, as database keys are.
    return list({o.opportunity_id: o for o in rows}.values())


def _random_people(rng: random.Random, n: int) -> list[CandidateFacts]:
    codes = ["9", "93", "9321", "52", "5", "41", "91", "94", "4110"]
    return [
        CandidateFacts(
            person_id=i,
            wishes=tuple(("isco", c) for c in rng.sample(codes, rng.randint(0, 3)))
            + tuple(("ateco", s) for s in rng.sample(["52", "47", "56"], rng.randint(0, 2))),
            skills={s: rng.randint(1, 5) for s in rng.sample(SKILLS, rng.randint(0, 5))},
            max_hours=rng.choice([None, 0, 20, 30]),
            days=frozenset(rng.choice([[], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7]])),
            areas=rng.choice([frozenset(), frozenset({"M1", "M9"}), frozenset({"milano"}), frozenset({"rho", "M3"})]),
            available_from=rng.choice([None, days(rng.randint(0, 45))]),
            law68_registered=rng.random() < 0.5,
            readiness=rng.choice(["", "preparatory", "supported", "open_market"]),
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("limit", [1, 5, 20, None])
def test_the_batch_is_exactly_the_single_path_on_random_pools(limit):
    rng = random.Random(100 + (limit or 0))
    assert_same_as_single(_random_people(rng, 60), _random_pool(rng, 300), limit=limit)


# ---------------------------------------------------------------------------------------------- stored data


@pytest.fixture
def stored(cast, candidate, employer):
    """The cast's candidate (wishes, skills, registered), a second one with an empty profile, and a catalogue."""
    person_b = make_person(registered_by=cast.org_b)
    make_profile(person_b, organisation=cast.org_b, updated_by=cast.operator_b)
    for title, fields in [
        ("Magazziniere", {"occupation_code": "9321", "employer": employer, "municipio": 9, "hours_per_week": 25}),
        ("Impiegato", {"occupation_code": "41", "municipio": 8, "hours_per_week": 20}),
        ("Turni pieni", {"occupation_code": "93", "hours_per_week": 40}),
        ("Posto L.68", {"kind": "law68", "occupation_code": "93", "municipio": 9}),
        ("Bozza", {"status": "draft", "occupation_code": "93"}),
        ("Finita", {"occupation_code": "93", "ends_on": TODAY - datetime.timedelta(days=1)}),
        ("Corso", {"kind": "course", "skills_taught": ["forklift"], "starts_on": days(30)}),
    ]:
        make_opportunity(cast.org_b, title, required_skills=["warehouse", "forklift"], **fields)
    return [candidate, person_b]


def test_on_stored_data_the_batch_gives_what_the_candidates_page_shows(cast, stored):
    """Facts read by the selectors, batch against `matches_for_person` (the page's path), person by person."""
    profiles = selectors.work_profiles_with_facts().order_by("person_id")
    candidates = [selectors.candidate_facts(p) for p in profiles]
    pool = [selectors.opportunity_facts(o) for o in selectors.open_opportunities(today=TODAY)]
    results = batch(candidates, pool)
    assert sorted(results) == sorted(p.pk for p in stored)
    for person in stored:
        page = selectors.matches_for_person(cast.operator_a, person, today=TODAY)
        shown = [(r.opportunity.pk, r.match.score, r.why) for r in page]
        assert shown, person
        assert [(opportunity_id, s, why) for _rank, opportunity_id, s, why in explained(results[person.pk])] == shown
        titles = {r.opportunity.title for r in page}
        assert not titles & {"Bozza", "Finita"}
    assert "Posto L.68" in {
        r.opportunity.title for r in selectors.matches_for_person(cast.operator_a, stored[0], today=TODAY)
    }
