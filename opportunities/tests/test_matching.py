"""The pure matching function: each hard constraint, each scoring rule, determinism (docs/matching.md)."""

import dataclasses
import datetime
import random

import pytest

from opportunities import matching
from opportunities.matching import CandidateFacts, OpportunityFacts, area_keys, rank_opportunities, score

TODAY = datetime.date(2026, 11, 30)


def candidate(**fields) -> CandidateFacts:
    return CandidateFacts(person_id=fields.pop("person_id", 1), **fields)


def opportunity(**fields) -> OpportunityFacts:
    fields.setdefault("kind", "job")
    return OpportunityFacts(opportunity_id=fields.pop("opportunity_id", 1), **fields)


# ---------------------------------------------------------------------------------------------- hard constraints


def test_a_pair_with_nothing_known_is_a_match():
    assert matching.unmet_constraints(candidate(), opportunity(), today=TODAY) == ()


@pytest.mark.parametrize(("max_hours", "hours", "unmet"), [(20, 20, ()), (20, 21, ("hours",)), (None, 40, ())])
def test_hours(max_hours, hours, unmet):
    assert matching.unmet_constraints(candidate(max_hours=max_hours), opportunity(hours=hours), today=TODAY) == unmet


@pytest.mark.parametrize(
    ("available", "needed", "unmet"),
    [({1, 2, 3}, {1, 3}, ()), ({1, 2, 3}, {1, 6}, ("days",)), (set(), {6, 7}, ()), ({1}, set(), ())],
)
def test_days_asked_must_all_be_available(available, needed, unmet):
    pair = candidate(days=frozenset(available)), opportunity(days=frozenset(needed))
    assert matching.unmet_constraints(*pair, today=TODAY) == unmet


def test_dates_an_ended_opportunity_or_one_ending_before_the_person_can_start():
    assert matching.unmet_constraints(
        candidate(), opportunity(ends_on=TODAY - datetime.timedelta(days=1)), today=TODAY
    ) == ("dates",)
    later = candidate(available_from=datetime.date(2027, 2, 1))
    assert matching.unmet_constraints(later, opportunity(ends_on=datetime.date(2027, 1, 31)), today=TODAY) == ("dates",)
    assert matching.unmet_constraints(later, opportunity(ends_on=datetime.date(2027, 2, 1)), today=TODAY) == ()


def test_dates_a_course_starting_before_the_person_can_start_is_missed_a_job_is_not():
    later = candidate(available_from=datetime.date(2027, 2, 1))
    starts = datetime.date(2027, 1, 15)
    assert matching.unmet_constraints(later, opportunity(kind="course", starts_on=starts), today=TODAY) == ("dates",)
    assert matching.unmet_constraints(later, opportunity(kind="job", starts_on=starts), today=TODAY) == ()


def test_area_municipi_and_comuni():
    in_m3 = opportunity(areas=area_keys(comune="Milano", municipio=3))
    in_sesto = opportunity(areas=area_keys(comune="Sesto San Giovanni"))
    assert matching.unmet_constraints(candidate(areas=frozenset({"M3", "M4"})), in_m3, today=TODAY) == ()
    assert matching.unmet_constraints(candidate(areas=frozenset({"M4"})), in_m3, today=TODAY) == ("area",)
    assert matching.unmet_constraints(candidate(areas=frozenset({"milano"})), in_m3, today=TODAY) == ()
    assert matching.unmet_constraints(candidate(areas=frozenset({"M4"})), in_sesto, today=TODAY) == ("area",)
    sesto = frozenset({matching.normalise_area(" Sesto San Giovanni")})
    assert matching.unmet_constraints(candidate(areas=sesto), in_sesto, today=TODAY) == ()
    assert matching.unmet_constraints(candidate(), in_sesto, today=TODAY) == ()  # anywhere
    assert matching.normalise_area("m7") == "M7"


def test_law68_registration_only_where_the_position_requires_it():
    unregistered, registered = candidate(law68_registered=False), candidate(law68_registered=True)
    assert matching.unmet_constraints(unregistered, opportunity(kind="law68"), today=TODAY) == ("law68",)
    assert matching.unmet_constraints(registered, opportunity(kind="law68"), today=TODAY) == ()
    assert matching.unmet_constraints(unregistered, opportunity(kind="job"), today=TODAY) == ()


def test_seats_left():
    assert matching.unmet_constraints(candidate(), opportunity(seats_left=0), today=TODAY) == ("seats",)
    assert matching.unmet_constraints(candidate(), opportunity(seats_left=1), today=TODAY) == ()


def test_every_unmet_constraint_is_reported():
    pair = candidate(max_hours=10, law68_registered=False), opportunity(kind="law68", hours=30, seats_left=0)
    assert matching.unmet_constraints(*pair, today=TODAY) == ("hours", "law68", "seats")


# ---------------------------------------------------------------------------------------------- scoring rules


def test_occupation_wishes_score_by_rank_and_group():
    person = candidate(wishes=(("isco", "93"), ("isco", "52"), ("isco", "9")))
    assert score(person, opportunity(occupation="9321")).occupation_wish.rank == 1
    assert score(person, opportunity(occupation="9321")).preference_points == 45
    assert score(person, opportunity(occupation="5223")).preference_points == 36
    assert score(person, opportunity(occupation="9112")).preference_points == 27  # the major group 9, third
    assert score(person, opportunity(occupation="4110")).preference_points == 0
    assert score(person, opportunity(occupation="")).occupation_wish is None


def test_wishes_past_the_fifth_keep_the_lowest_points():
    person = candidate(wishes=tuple(("isco", code) for code in ("11", "12", "13", "14", "21", "22")))
    assert score(person, opportunity(occupation="22")).occupation_wish.points == matching.OCCUPATION_POINTS[-1]


def test_a_sector_wish_adds_to_an_occupation_wish():
    person = candidate(wishes=(("ateco", "56"), ("isco", "51"), ("ateco", "47")))
    both = score(person, opportunity(occupation="5120", sector="56"))
    assert (both.occupation_wish.points, both.sector_wish.points, both.preference_points) == (45, 15, 60)
    assert score(person, opportunity(sector="47")).preference_points == 12


def test_required_skills_held_weak_and_missing():
    person = candidate(skills={"warehouse": 4, "forklift": 2, "ts_teamwork": 3})
    result = score(person, opportunity(required_skills=("warehouse", "forklift", "ts_teamwork", "driving_licence_b")))
    assert result.required_held == ("warehouse", "ts_teamwork")
    assert result.required_weak == ("forklift",)
    assert result.required_missing == ("driving_licence_b",)
    assert result.skill_points == 12 + 6  # half the required held; no desired skill asked
    assert result.skills_to_learn == ("driving_licence_b", "forklift")


def test_desired_skills_count_less_than_required():
    person = candidate(skills={"english_basic": 5})
    only_desired = score(person, opportunity(desired_skills=("english_basic",), required_skills=("cleaning",)))
    only_required = score(person, opportunity(required_skills=("english_basic",), desired_skills=("cleaning",)))
    assert only_desired.skill_points == 6 < only_required.skill_points == 24
    assert only_desired.desired_held == ("english_basic",) and only_required.desired_missing == ("cleaning",)


@pytest.mark.parametrize(
    ("band", "kind", "points"),
    [
        ("preparatory", "course", 10),
        ("preparatory", "job", 4),
        ("supported", "law68", 10),
        ("open_market", "job", 10),
        ("open_market", "course", 6),
        ("", "job", 5),
        ("unknown_band", "job", 5),
    ],
)
def test_readiness_fits_the_kind_to_the_employability_band(band, kind, points):
    assert score(candidate(readiness=band), opportunity(kind=kind)).readiness_points == points


def test_readiness_never_excludes_zero_exclusion():
    opportunities = [opportunity(opportunity_id=n, kind=kind) for n, kind in enumerate(("job", "course", "law68"), 1)]
    for band in ("preparatory", "supported", "open_market", ""):
        person = candidate(readiness=band, law68_registered=True)
        assert len(rank_opportunities(person, opportunities, today=TODAY)) == 3


def test_preferences_come_first_a_wish_outweighs_skills_and_readiness():
    person = candidate(wishes=(("isco", "93"),), skills={"cleaning": 5}, readiness="open_market")
    wished = opportunity(opportunity_id=1, kind="course", occupation="9321", required_skills=("forklift",))
    skilled = opportunity(opportunity_id=2, kind="job", occupation="9112", required_skills=("cleaning",))
    ranked = rank_opportunities(person, [skilled, wished], today=TODAY)
    assert [m.opportunity.opportunity_id for m in ranked] == [1, 2]
    assert ranked[0].score.preference_points > ranked[1].score.skill_points + ranked[1].score.readiness_points


# ---------------------------------------------------------------------------------------------- ranking


def _random_pool(rng: random.Random, n: int) -> list[OpportunityFacts]:
    kinds = ["course", "internship", "job", "law68", "volunteering"]
    skills = ["warehouse", "cleaning", "ts_teamwork", "cash_handling", "forklift", "data_entry"]
    return [
        opportunity(
            opportunity_id=i,
            kind=rng.choice(kinds),
            occupation=rng.choice(["93", "9321", "52", "41", "9112", ""]),
            sector=rng.choice(["52", "47", "56", ""]),
            hours=rng.choice([None, 10, 20, 30, 40]),
            required_skills=tuple(rng.sample(skills, rng.randint(0, 3))),
            desired_skills=tuple(rng.sample(skills, rng.randint(0, 2))),
        )
        for i in range(1, n + 1)
    ]


def test_the_same_inputs_always_give_the_same_ranking_whatever_the_order():
    rng = random.Random(4)
    pool = _random_pool(rng, 200)
    person = candidate(
        wishes=(("isco", "93"), ("ateco", "52")),
        skills={"warehouse": 4, "ts_teamwork": 2},
        max_hours=30,
        law68_registered=True,
    )
    first = [(m.opportunity.opportunity_id, m.total) for m in rank_opportunities(person, pool, today=TODAY, limit=50)]
    rng.shuffle(pool)
    again = [(m.opportunity.opportunity_id, m.total) for m in rank_opportunities(person, pool, today=TODAY, limit=50)]
    assert first == again
    assert [m.rank for m in rank_opportunities(person, pool, today=TODAY, limit=5)] == [1, 2, 3, 4, 5]
    totals = [total for _id, total in first]
    assert totals == sorted(totals, reverse=True)


def test_ties_go_to_the_better_wish_then_skills_then_the_lower_id():
    person = candidate(wishes=(("isco", "93"),), skills={"cleaning": 4})
    # Equal in everything (45 + 30 + 5 each): the lower id first.
    a = opportunity(opportunity_id=7, occupation="93")
    b = opportunity(opportunity_id=3, occupation="93")
    assert [m.opportunity.opportunity_id for m in rank_opportunities(person, [a, b], today=TODAY)] == [3, 7]
    assert matching.explain_rank(*rank_opportunities(person, [a, b], today=TODAY)) == "tie"


def test_rank_candidates_for_an_opportunity_filters_and_orders():
    job = opportunity(kind="law68", occupation="9321", hours=20, required_skills=("warehouse",))
    keen = candidate(person_id=5, wishes=(("isco", "93"),), skills={"warehouse": 3}, law68_registered=True)
    able = candidate(person_id=2, skills={"warehouse": 5}, law68_registered=True)
    unregistered = candidate(person_id=1, wishes=(("isco", "93"),), law68_registered=False)
    part_time = candidate(person_id=3, max_hours=10, law68_registered=True)
    ranked = matching.rank_candidates(job, [unregistered, able, keen, part_time], today=TODAY)
    assert [m.candidate.person_id for m in ranked] == [5, 2]
    assert matching.explain_rank(ranked[0], ranked[1]) == "higher_total"
    assert matching.explain_rank(ranked[1], None) == "last"


def test_the_facts_carry_no_health_data():
    names = {f.name for f in dataclasses.fields(CandidateFacts)}
    assert not names & {"diagnosis", "diagnosis_group", "clinical", "invalidity", "civil_invalidity_percent"}


# ---------------------------------------------------------------------------------------------- at scale


def _random_candidates(rng: random.Random, n: int) -> list[CandidateFacts]:
    codes = ["9", "93", "9321", "52", "5", "41", "91", "94", "4110"]
    skills = ["warehouse", "cleaning", "ts_teamwork", "cash_handling", "forklift", "data_entry"]
    return [
        candidate(
            person_id=i,
            wishes=tuple(("isco", c) for c in rng.sample(codes, rng.randint(0, 3)))
            + tuple(("ateco", s) for s in rng.sample(["52", "47", "56"], rng.randint(0, 2))),
            skills={s: rng.randint(1, 5) for s in rng.sample(skills, rng.randint(0, 4))},
            max_hours=rng.choice([None, 20, 30]),
            law68_registered=rng.random() < 0.5,
            readiness=rng.choice(["", "preparatory", "supported", "open_market"]),
            areas=rng.choice([frozenset(), frozenset({"M1", "M9"})]),
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("limit", [1, 5, 20, 500])
def test_the_indexed_ranking_is_exactly_the_reference_ranking(limit):
    rng = random.Random(limit)
    pool = [
        dataclasses.replace(o, areas=rng.choice([frozenset(), area_keys(comune="Milano", municipio=rng.randint(1, 9))]))
        for o in _random_pool(rng, 400)
    ]
    people = _random_candidates(rng, 150)
    index = matching.OpportunityIndex(pool)
    for person in people:
        expected = rank_opportunities(person, pool, today=TODAY, limit=limit)
        assert matching.top_opportunities(person, index, today=TODAY, limit=limit) == expected
    candidates = matching.CandidateIndex(people, today=TODAY)
    for o in pool[:100]:
        expected = matching.rank_candidates(o, people, today=TODAY, limit=limit)
        assert matching.top_candidates(o, candidates, limit=limit) == expected
