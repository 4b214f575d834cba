"""Explainable matching of candidates and opportunities: a pure function of plain facts (docs/matching.md).

No database, no clock, no randomness: the same facts always give the same ranking. The facts carry no health
data (no diagnosis, no clinical scores), so health data cannot influence a ranking; the selectors that build the
facts (opportunities/selectors.py) never read them either.

1. Hard constraints filter (`unmet_constraints`): hours, days, dates, reachable area, Law 68 registration where
   the position requires it, seats left. An opportunity that fails one is not a match, and the reason is kept.
2. Soft criteria score (`score`), out of 100: the person's stated wishes first (up to 60), then skills (up to 30),
   then readiness (up to 10). The employability band informs readiness only and never excludes anyone.
3. Ties go to the better wish, then the better skills, then the lower id (stable).
"""

import datetime
import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from opportunities.choices import OpportunityKind

# Points of an occupation (ISCO-08) wish matched, by the wish's rank among the occupation wishes (1st, 2nd, ...).
# The first wish alone (45) outweighs the best skills and readiness together (30 + 10): preferences come first.
OCCUPATION_POINTS = (45, 36, 27, 18, 9)
# Points of a sector (ATECO) wish matched, by its rank among the sector wishes.
SECTOR_POINTS = (15, 12, 9, 6, 3)
PREFERENCE_MAX = OCCUPATION_POINTS[0] + SECTOR_POINTS[0]
REQUIRED_SKILLS_MAX = 24
DESIRED_SKILLS_MAX = 6
SKILLS_MAX = REQUIRED_SKILLS_MAX + DESIRED_SKILLS_MAX
READINESS_MAX = 10
HELD_LEVEL = 3  # "sufficient" on the skills balance's 1–5 scale

# Readiness: how well the kind of opportunity suits the employability band (assessments' employability
# instrument). Never an exclusion: every band gets points for every kind.
READINESS_POINTS = {
    "preparatory": {"course": 10, "volunteering": 10, "internship": 8, "law68": 5, "job": 4},
    "supported": {"internship": 10, "law68": 10, "course": 7, "volunteering": 7, "job": 7},
    "open_market": {"job": 10, "law68": 10, "internship": 7, "course": 6, "volunteering": 6},
}
READINESS_UNKNOWN = 5

# Codes of the hard constraints, in the order they are checked.
HOURS, DAYS, DATES, AREA, LAW68, SEATS = "hours", "days", "dates", "area", "law68", "seats"
CONSTRAINTS = (HOURS, DAYS, DATES, AREA, LAW68, SEATS)


def area_keys(*, comune: str = "", municipio: int | None = None) -> frozenset[str]:
    """The area keys of a place: "M3" and "milano" for Milan's municipio 3; the comune's name otherwise."""
    name = (comune or "").strip().casefold()
    if municipio:
        return frozenset({f"M{municipio}", "milano"})
    if name == "milano":
        return frozenset({"milano", *(f"M{n}" for n in range(1, 10))})
    return frozenset({name}) if name else frozenset()


def normalise_area(value: str) -> str:
    """A candidate's reachable area as a key: "m3" → "M3", "Sesto San Giovanni" → "sesto san giovanni"."""
    value = (value or "").strip()
    if len(value) == 2 and value[0] in "mM" and value[1].isdigit():
        return value.upper()
    return value.casefold()


@dataclass(frozen=True)
class CandidateFacts:
    """What matching knows of a candidate: their work profile and readiness. Nothing about their health."""

    person_id: int
    wishes: tuple[tuple[str, str], ...] = ()  # ("isco"|"ateco", code), most wanted first
    skills: Mapping[str, int] = field(default_factory=dict)
    max_hours: int | None = None
    days: frozenset[int] = frozenset()  # empty: any day
    areas: frozenset[str] = frozenset()  # empty: anywhere
    available_from: datetime.date | None = None
    law68_registered: bool = False
    readiness: str = ""  # employability band code, "" when not assessed

    @property
    def occupation_wishes(self) -> tuple[str, ...]:
        return tuple(code for kind, code in self.wishes if kind == "isco")

    @property
    def sector_wishes(self) -> tuple[str, ...]:
        return tuple(code for kind, code in self.wishes if kind == "ateco")


@dataclass(frozen=True)
class OpportunityFacts:
    """What matching knows of an opportunity."""

    opportunity_id: int
    kind: str
    occupation: str = ""  # ISCO-08 code, 1 to 4 digits
    sector: str = ""  # ATECO 2007 division of the employer
    areas: frozenset[str] = frozenset()  # empty: no place given
    hours: int | None = None
    days: frozenset[int] = frozenset()
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    seats_left: int = 1
    required_skills: tuple[str, ...] = ()
    desired_skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class WishMatch:
    kind: str  # "isco" or "ateco"
    code: str
    rank: int  # 1 for the first wish of its kind
    points: int


@dataclass(frozen=True)
class Score:
    """The soft score of one pair, with everything needed to explain it."""

    occupation_wish: WishMatch | None
    sector_wish: WishMatch | None
    required_held: tuple[str, ...]
    required_weak: tuple[str, ...]  # held below "sufficient"
    required_missing: tuple[str, ...]
    desired_held: tuple[str, ...]
    desired_missing: tuple[str, ...]
    preference_points: int
    skill_points: int
    readiness_points: int
    readiness: str

    @property
    def total(self) -> int:
        return self.preference_points + self.skill_points + self.readiness_points

    @property
    def skills_to_learn(self) -> tuple[str, ...]:
        """Required skills missing or weak, then desired ones missing: what a course could teach."""
        return (*self.required_missing, *self.required_weak, *self.desired_missing)


@dataclass(frozen=True)
class Match:
    """One ranked result: the pair, its rank, its score and its explanation's parts."""

    rank: int
    candidate: CandidateFacts
    opportunity: OpportunityFacts
    score: Score

    @property
    def total(self) -> int:
        return self.score.total


def _wish_match(wishes: tuple[str, ...], code: str, kind: str, points: tuple[int, ...]) -> WishMatch | None:
    if not code:
        return None
    for index, wish in enumerate(wishes):
        # A wish for a group matches any occupation inside it; a coarse opportunity code matches finer wishes.
        if code.startswith(wish) or wish.startswith(code):
            return WishMatch(kind=kind, code=wish, rank=index + 1, points=points[min(index, len(points) - 1)])
    return None


def unmet_constraints(
    candidate: CandidateFacts, opportunity: OpportunityFacts, *, today: datetime.date
) -> tuple[str, ...]:
    """The hard constraints the pair fails (empty: it is a match). Unknown values never fail a constraint."""
    unmet = []
    if candidate.max_hours is not None and opportunity.hours is not None and opportunity.hours > candidate.max_hours:
        unmet.append(HOURS)
    if candidate.days and opportunity.days and not opportunity.days <= candidate.days:
        unmet.append(DAYS)
    start = max(today, candidate.available_from) if candidate.available_from else today
    ended = opportunity.ends_on is not None and opportunity.ends_on < start
    # A course has a fixed start: it is missed if it starts before the person can; other kinds can be joined later.
    missed_course = (
        opportunity.kind == OpportunityKind.COURSE
        and opportunity.starts_on is not None
        and opportunity.starts_on < start
    )
    if ended or missed_course:
        unmet.append(DATES)
    if candidate.areas and opportunity.areas and not candidate.areas & opportunity.areas:
        unmet.append(AREA)
    if opportunity.kind == OpportunityKind.LAW68 and not candidate.law68_registered:
        unmet.append(LAW68)
    if opportunity.seats_left <= 0:
        unmet.append(SEATS)
    return tuple(unmet)


def score(candidate: CandidateFacts, opportunity: OpportunityFacts) -> Score:
    """The soft score of a pair: wishes, then skills, then readiness (see the module's docstring)."""
    occupation = _wish_match(candidate.occupation_wishes, opportunity.occupation, "isco", OCCUPATION_POINTS)
    sector = _wish_match(candidate.sector_wishes, opportunity.sector, "ateco", SECTOR_POINTS)
    preference = (occupation.points if occupation else 0) + (sector.points if sector else 0)

    levels = candidate.skills
    required_held = tuple(s for s in opportunity.required_skills if levels.get(s, 0) >= HELD_LEVEL)
    required_weak = tuple(s for s in opportunity.required_skills if 0 < levels.get(s, 0) < HELD_LEVEL)
    required_missing = tuple(s for s in opportunity.required_skills if levels.get(s, 0) <= 0)
    desired_held = tuple(s for s in opportunity.desired_skills if levels.get(s, 0) >= HELD_LEVEL)
    desired_missing = tuple(s for s in opportunity.desired_skills if levels.get(s, 0) < HELD_LEVEL)
    required_share = len(required_held) / len(opportunity.required_skills) if opportunity.required_skills else 1
    desired_share = len(desired_held) / len(opportunity.desired_skills) if opportunity.desired_skills else 1
    skill_points = round(REQUIRED_SKILLS_MAX * required_share) + round(DESIRED_SKILLS_MAX * desired_share)

    table = READINESS_POINTS.get(candidate.readiness)
    readiness_points = table.get(opportunity.kind, READINESS_UNKNOWN) if table else READINESS_UNKNOWN
    return Score(
        occupation_wish=occupation,
        sector_wish=sector,
        required_held=required_held,
        required_weak=required_weak,
        required_missing=required_missing,
        desired_held=desired_held,
        desired_missing=desired_missing,
        preference_points=preference,
        skill_points=skill_points,
        readiness_points=readiness_points,
        readiness=candidate.readiness,
    )


def _order(pair_score: Score, tiebreak: int) -> tuple:
    return (-pair_score.total, -pair_score.preference_points, -pair_score.skill_points, tiebreak)


def rank_opportunities(
    candidate: CandidateFacts,
    opportunities: Iterable[OpportunityFacts],
    *,
    today: datetime.date,
    limit: int | None = 20,
) -> list[Match]:
    """The opportunities that pass the hard constraints, best first."""
    scored = [(score(candidate, o), o) for o in opportunities if not unmet_constraints(candidate, o, today=today)]
    scored.sort(key=lambda pair: _order(pair[0], pair[1].opportunity_id))
    return [Match(rank=i + 1, candidate=candidate, opportunity=o, score=s) for i, (s, o) in enumerate(scored[:limit])]


def rank_candidates(
    opportunity: OpportunityFacts,
    candidates: Iterable[CandidateFacts],
    *,
    today: datetime.date,
    limit: int | None = 20,
) -> list[Match]:
    """The candidates that pass the hard constraints for this opportunity, best first."""
    scored = [(score(c, opportunity), c) for c in candidates if not unmet_constraints(c, opportunity, today=today)]
    scored.sort(key=lambda pair: _order(pair[0], pair[1].person_id))
    return [Match(rank=i + 1, candidate=c, opportunity=opportunity, score=s) for i, (s, c) in enumerate(scored[:limit])]


def explain_rank(match: Match, following: Match | None) -> str:
    """Why `match` ranks above the next result, as a stable code the page translates."""
    if following is None:
        return "last"
    a, b = match.score, following.score
    if a.total != b.total:
        return "higher_total"
    if a.preference_points != b.preference_points:
        return "better_wish"
    if a.skill_points != b.skill_points:
        return "better_skills"
    return "tie"


# ---------------------------------------------------------------------------------------------- at scale
#
# The same ranking as rank_opportunities / rank_candidates, computed faster for large pools: only the pairs that
# match a wish are scored first; the others are scored only when they could still enter the top (docs/matching.md,
# "At scale"). Tests check that both give identical results.

NO_WISH_MAX = SKILLS_MAX + READINESS_MAX  # the best total of a pair that matches no wish


@dataclass(frozen=True)
class _Prepared:
    """A candidate's facts in the shapes the fast key needs."""

    candidate: CandidateFacts
    occupations: tuple[str, ...]
    sectors: tuple[str, ...]
    held: frozenset[str]
    start: datetime.date
    readiness: Mapping[str, int] | None


def _prepare(candidate: CandidateFacts, today: datetime.date) -> _Prepared:
    return _Prepared(
        candidate=candidate,
        occupations=candidate.occupation_wishes,
        sectors=candidate.sector_wishes,
        held=frozenset(code for code, level in candidate.skills.items() if level >= HELD_LEVEL),
        start=max(today, candidate.available_from) if candidate.available_from else today,
        readiness=READINESS_POINTS.get(candidate.readiness),
    )


def _points(wishes: tuple[str, ...], code: str, points: tuple[int, ...]) -> int:
    if code:
        for index, wish in enumerate(wishes):
            if code.startswith(wish) or wish.startswith(code):
                return points[min(index, len(points) - 1)]
    return 0


def _fast_key(p: _Prepared, o: OpportunityFacts, tiebreak: int, preference: int | None = None) -> tuple | None:
    """The sort key of `_order` for a pair, or None when a hard constraint fails (same rules, fewer objects)."""
    c = p.candidate
    if c.max_hours is not None and o.hours is not None and o.hours > c.max_hours:
        return None
    if c.days and o.days and not o.days <= c.days:
        return None
    if o.ends_on is not None and o.ends_on < p.start:
        return None
    if o.kind == OpportunityKind.COURSE and o.starts_on is not None and o.starts_on < p.start:
        return None
    if c.areas and o.areas and not c.areas & o.areas:
        return None
    if (o.kind == OpportunityKind.LAW68 and not c.law68_registered) or o.seats_left <= 0:
        return None
    if preference is None:
        preference = _points(p.occupations, o.occupation, OCCUPATION_POINTS) + _points(
            p.sectors, o.sector, SECTOR_POINTS
        )
    required, desired = o.required_skills, o.desired_skills
    required_share = sum(1 for s in required if s in p.held) / len(required) if required else 1
    desired_share = sum(1 for s in desired if s in p.held) / len(desired) if desired else 1
    skill = round(REQUIRED_SKILLS_MAX * required_share) + round(DESIRED_SKILLS_MAX * desired_share)
    readiness = p.readiness.get(o.kind, READINESS_UNKNOWN) if p.readiness else READINESS_UNKNOWN
    return (-(preference + skill + readiness), -preference, -skill, tiebreak)


def _prefixes(code: str) -> list[str]:
    return [code[:n] for n in range(1, len(code) + 1)]


class OpportunityIndex:
    """Opportunities by occupation code prefix, exact code and sector, for `top_opportunities`."""

    def __init__(self, opportunities: Iterable[OpportunityFacts]):
        self.all = list(opportunities)
        self.by_prefix: dict[str, list] = {}
        self.by_code: dict[str, list] = {}
        self.by_sector: dict[str, list] = {}
        self.by_area: dict[str, list] = {}
        self.anywhere: list = []  # no place given: reachable by everyone
        for o in self.all:
            for key in o.areas:
                self.by_area.setdefault(key, []).append(o)
            if not o.areas:
                self.anywhere.append(o)
            if o.occupation:
                self.by_code.setdefault(o.occupation, []).append(o)
                for prefix in _prefixes(o.occupation):
                    self.by_prefix.setdefault(prefix, []).append(o)
            if o.sector:
                self.by_sector.setdefault(o.sector, []).append(o)

    def wished(self, candidate: CandidateFacts) -> dict[int, list]:
        """The opportunities matching at least one wish: {id: [opportunity, occupation points, sector points]}.

        Wishes are visited in rank order, so an opportunity keeps the points of the best wish it matches.
        """
        found: dict[int, list] = {}
        for rank, wish in enumerate(candidate.occupation_wishes):
            points = OCCUPATION_POINTS[min(rank, len(OCCUPATION_POINTS) - 1)]
            groups = [self.by_prefix.get(wish, ()), *(self.by_code.get(c, ()) for c in _prefixes(wish)[:-1])]
            for group in groups:
                for o in group:
                    if o.opportunity_id not in found:
                        found[o.opportunity_id] = [o, points, 0]
        for rank, wish in enumerate(candidate.sector_wishes):
            points = SECTOR_POINTS[min(rank, len(SECTOR_POINTS) - 1)]
            for o in self.by_sector.get(wish, ()):
                entry = found.setdefault(o.opportunity_id, [o, 0, 0])
                if not entry[2]:
                    entry[2] = points
        return found

    def reachable(self, candidate: CandidateFacts):
        """The opportunities the candidate's areas allow (all of them when they gave none)."""
        if not candidate.areas:
            return self.all
        found = {o.opportunity_id: o for o in self.anywhere}
        for key in candidate.areas:
            for o in self.by_area.get(key, ()):
                found[o.opportunity_id] = o
        return found.values()


def _top(keyed: list[tuple[tuple, object]], limit: int) -> list[tuple[tuple, object]]:
    keyed.sort(key=lambda pair: pair[0])
    return keyed[:limit]


def top_opportunities(
    candidate: CandidateFacts, index: OpportunityIndex, *, today: datetime.date, limit: int = 20
) -> list[Match]:
    """Exactly `rank_opportunities(candidate, index.all, today=today, limit=limit)`, faster on large pools.

    The opportunities matching a wish are scored in order of their wish points, and the scan stops as soon as
    the next one could not reach the current top (its wish points plus the best skills and readiness fall short).
    """
    prepared = _prepare(candidate, today)
    wished = index.wished(candidate)
    ordered = sorted(((occupation + sector, o) for o, occupation, sector in wished.values()), key=lambda t: -t[0])
    heap: list[tuple] = []  # the best `limit` keys so far, inverted for heapq's min-heap (worst on top)
    for preference, o in ordered:
        if len(heap) == limit and preference + NO_WISH_MAX < heap[0][0][0]:
            break
        key = _fast_key(prepared, o, o.opportunity_id, preference)
        if key is None:
            continue
        entry = (tuple(-x for x in key), o.opportunity_id, o)
        if len(heap) < limit:
            heapq.heappush(heap, entry)
        elif entry[0] > heap[0][0]:
            heapq.heapreplace(heap, entry)
    keyed = [(tuple(-x for x in inverted), o) for inverted, _id, o in heap]
    if len(keyed) < limit or -max(keyed, key=lambda pair: pair[0])[0][0] < NO_WISH_MAX:
        # Pairs matching no wish could still enter the top: score them too.
        for o in index.reachable(candidate):
            if o.opportunity_id not in wished:
                key = _fast_key(prepared, o, o.opportunity_id, 0)
                if key is not None:
                    keyed.append((key, o))
    best = _top(keyed, limit)
    return [
        Match(rank=i + 1, candidate=candidate, opportunity=o, score=score(candidate, o))
        for i, (_k, o) in enumerate(best)
    ]


class CandidateIndex:
    """Candidates by their wishes (exact code and code prefix) and sectors, for `top_candidates`."""

    def __init__(self, candidates: Iterable[CandidateFacts], *, today: datetime.date):
        self.today = today
        self.prepared = {c.person_id: _prepare(c, today) for c in candidates}
        self.by_wish: dict[str, list] = {}
        self.by_wish_prefix: dict[str, list] = {}
        self.by_sector: dict[str, list] = {}
        for p in self.prepared.values():
            for wish in p.occupations:
                self.by_wish.setdefault(wish, []).append(p)
                for prefix in _prefixes(wish):
                    self.by_wish_prefix.setdefault(prefix, []).append(p)
            for wish in p.sectors:
                self.by_sector.setdefault(wish, []).append(p)

    def wishing(self, opportunity: OpportunityFacts) -> dict[int, _Prepared]:
        """The candidates with at least one wish the opportunity matches."""
        found: dict[int, _Prepared] = {}
        code = opportunity.occupation
        if code:
            for p in self.by_wish_prefix.get(code, ()):  # wishes inside the opportunity's group
                found[p.candidate.person_id] = p
            for prefix in _prefixes(code):  # wishes for a group containing the opportunity's code
                for p in self.by_wish.get(prefix, ()):
                    found[p.candidate.person_id] = p
        for p in self.by_sector.get(opportunity.sector, ()) if opportunity.sector else ():
            found[p.candidate.person_id] = p
        return found


def top_candidates(opportunity: OpportunityFacts, index: CandidateIndex, *, limit: int = 20) -> list[Match]:
    """Exactly `rank_candidates(opportunity, <the index's candidates>, today=index.today, limit=limit)`."""
    wishing = index.wishing(opportunity)
    keyed = []
    for p in wishing.values():
        key = _fast_key(p, opportunity, p.candidate.person_id)
        if key is not None:
            keyed.append((key, p.candidate))
    best = _top(keyed, limit)
    if len(best) < limit or -best[-1][0][0] < NO_WISH_MAX:
        for person_id, p in index.prepared.items():
            if person_id not in wishing:
                key = _fast_key(p, opportunity, person_id)
                if key is not None:
                    keyed.append((key, p.candidate))
        best = _top(keyed, limit)
    return [
        Match(rank=i + 1, candidate=c, opportunity=opportunity, score=score(c, opportunity))
        for i, (_k, c) in enumerate(best)
    ]
