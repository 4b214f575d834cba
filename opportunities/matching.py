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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter

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
# The same ranking as rank_opportunities / rank_candidates, computed faster for large pools and for the batch of
# every candidate (docs/matching.md, "At scale"). The index groups the opportunities once: by occupation and sector
# (so a candidate's wish points are computed once per group, not per opportunity) and, inside a group, by place and
# kind (so the area and Law 68 constraints drop whole buckets). Groups are scanned best wish first and the scan
# stops when a group's wish points plus the best skills and readiness cannot reach the current top. Every result is
# then scored by `score()` itself, so its explanation is the reference one. Tests check that both give identical
# results (test_matching.py, test_matching_batch.py).

NO_WISH_MAX = SKILLS_MAX + READINESS_MAX  # the best total of a pair that matches no wish
_NEVER = datetime.date.max
_NO_HOURS = float("-inf")  # unknown hours: never more than a maximum
_ANY_HOURS = float("inf")  # no maximum given


def _share_points(maximum: int, count: int) -> tuple[int, ...]:
    """Points by number of skills held, 0..count: `round(maximum * share)` as `score()` computes it."""
    if not count:
        return (maximum,)
    return tuple(round(maximum * (held / count)) for held in range(count + 1))


def _row(o: OpportunityFacts) -> tuple:
    """An opportunity's facts in the flat shape `_key` reads (computed once per index, not per pair)."""
    # The dates constraint in one comparison: the pair fails when this day falls before the candidate's start.
    deadline = o.ends_on if o.ends_on is not None else _NEVER
    if o.kind == OpportunityKind.COURSE and o.starts_on is not None:
        deadline = min(deadline, o.starts_on)
    return (
        o,
        o.opportunity_id,
        o.kind,
        o.hours if o.hours is not None else _NO_HOURS,
        o.days,
        deadline,
        o.required_skills,
        _share_points(REQUIRED_SKILLS_MAX, len(o.required_skills)),
        o.desired_skills,
        _share_points(DESIRED_SKILLS_MAX, len(o.desired_skills)),
    )


@dataclass(frozen=True)
class _Prepared:
    """A candidate's facts in the shapes the fast key needs."""

    candidate: CandidateFacts
    occupations: tuple[str, ...]
    sectors: tuple[str, ...]
    held: frozenset[str]
    start: datetime.date
    readiness: Mapping[str, int]  # empty when not assessed
    max_hours: float
    days: frozenset[int] | None  # None: any day


def _prepare(candidate: CandidateFacts, today: datetime.date) -> _Prepared:
    table = READINESS_POINTS.get(candidate.readiness) or {}
    return _Prepared(
        candidate=candidate,
        occupations=candidate.occupation_wishes,
        sectors=candidate.sector_wishes,
        held=frozenset(code for code, level in candidate.skills.items() if level >= HELD_LEVEL),
        start=max(today, candidate.available_from) if candidate.available_from else today,
        readiness=table,
        max_hours=candidate.max_hours if candidate.max_hours is not None else _ANY_HOURS,
        days=candidate.days or None,
    )


def _points(wishes: tuple[str, ...], code: str, points: tuple[int, ...]) -> int:
    if code:
        for index, wish in enumerate(wishes):
            if code.startswith(wish) or wish.startswith(code):
                return points[min(index, len(points) - 1)]
    return 0


def _key(p: _Prepared, row: tuple, preference: int) -> tuple | None:
    """(total, wish points, skill points, -id) of a pair, larger is better (the inverse of `_order`); None when the
    hours, days or dates constraint fails. The area, Law 68 and seats constraints are the caller's (by bucket)."""
    _o, opportunity_id, kind, hours, days, deadline, required, required_points, desired, desired_points = row
    if hours > p.max_hours or deadline < p.start or (p.days is not None and not days <= p.days):
        return None
    held = p.held.__contains__
    skill = required_points[sum(map(held, required))] + desired_points[sum(map(held, desired))]
    return (preference + skill + p.readiness.get(kind, READINESS_UNKNOWN), preference, skill, -opportunity_id)


class OpportunityIndex:
    """Opportunities grouped once for `top_opportunities`: by occupation and sector, then by place, then by kind."""

    def __init__(self, opportunities: Iterable[OpportunityFacts]):
        self.all = list(opportunities)
        self.occupations: set[str] = set()
        self.sectors: set[str] = set()
        self.places: set[frozenset[str]] = set()
        self.kinds: set[str] = set()
        groups: dict[tuple[str, str], dict[frozenset[str], dict[str, list]]] = {}
        for o in self.all:
            if o.seats_left <= 0:  # fails the seats constraint for every candidate
                continue
            self.occupations.add(o.occupation)
            self.sectors.add(o.sector)
            self.places.add(o.areas)
            self.kinds.add(o.kind)
            by_place = groups.setdefault((o.occupation, o.sector), {})
            by_place.setdefault(o.areas, {}).setdefault(o.kind, []).append(_row(o))
        # [(occupation, sector, {place: ((kind, rows), ...)}), ...]
        self.groups = [
            (occupation, sector, {place: tuple(by_kind.items()) for place, by_kind in by_place.items()})
            for (occupation, sector), by_place in groups.items()
        ]

    def reachable(self, candidate: CandidateFacts) -> list[frozenset[str]]:
        """The places (area keys of an opportunity) the candidate's areas allow."""
        return [place for place in self.places if not candidate.areas or not place or candidate.areas & place]


def top_opportunities(
    candidate: CandidateFacts, index: OpportunityIndex, *, today: datetime.date, limit: int | None = 20
) -> list[Match]:
    """Exactly `rank_opportunities(candidate, index.all, today=today, limit=limit)`, faster on large pools.

    The groups of opportunities are scanned in order of the candidate's wish points, and the scan stops as soon as
    a group could not reach the current top (its wish points plus the best skills and readiness fall short).
    """
    if limit is not None and limit <= 0:
        return []
    p = _prepare(candidate, today)
    occupation_points = {code: _points(p.occupations, code, OCCUPATION_POINTS) for code in index.occupations}
    sector_points = {code: _points(p.sectors, code, SECTOR_POINTS) for code in index.sectors}
    ordered = [(occupation_points[occ] + sector_points[sector], by_place) for occ, sector, by_place in index.groups]
    ordered.sort(key=itemgetter(0), reverse=True)
    places = index.reachable(candidate)
    # Readiness points by kind; None for a kind the candidate cannot take (a Law 68 position, unregistered).
    readiness = {
        kind: None
        if kind == OpportunityKind.LAW68 and not candidate.law68_registered
        else p.readiness.get(kind, READINESS_UNKNOWN)
        for kind in index.kinds
    }
    best_rest = SKILLS_MAX + max((r for r in readiness.values() if r is not None), default=0)
    held = p.held.__contains__
    max_hours, start, days_free = p.max_hours, p.start, p.days
    heap: list[tuple] = []  # the best `limit` (key, opportunity) so far, worst on top
    full = False
    worst = -1  # the total of the worst pair in a full top
    for preference, by_place in ordered:
        if full and preference + best_rest < worst:
            break  # groups come best wish first: no later pair can enter the top
        for place in places:
            for kind, rows in by_place.get(place, ()):
                ready = readiness[kind]
                if ready is None or (full and preference + SKILLS_MAX + ready < worst):
                    continue
                # `_key`'s rules, inlined: this loop is the hot path of the batch.
                for o, oid, _kind, hours, days, deadline, required, required_points, desired, desired_points in rows:
                    if hours > max_hours or deadline < start or (days_free is not None and not days <= days_free):
                        continue
                    skill = required_points[sum(map(held, required))] + desired_points[sum(map(held, desired))]
                    total = preference + skill + ready
                    if full and total < worst:
                        continue
                    key = (total, preference, skill, -oid)
                    if not full:
                        heapq.heappush(heap, (key, o))
                        full = limit is not None and len(heap) == limit
                    elif key > heap[0][0]:
                        heapq.heapreplace(heap, (key, o))
                    else:
                        continue
                    if full:
                        worst = heap[0][0][0]
    heap.sort(key=itemgetter(0), reverse=True)
    return [
        Match(rank=i + 1, candidate=candidate, opportunity=o, score=score(candidate, o))
        for i, (_key_, o) in enumerate(heap)
    ]


def top_opportunities_for_all(
    candidates: Iterable[CandidateFacts],
    opportunities: OpportunityIndex | Iterable[OpportunityFacts],
    *,
    today: datetime.date,
    limit: int | None = 20,
) -> Iterator[tuple[CandidateFacts, list[Match]]]:
    """The batch: each candidate with exactly `rank_opportunities(candidate, opportunities, ...)`, lazily.

    The index is built once for the whole batch; candidates are read one at a time and their results given out at
    once, so memory holds the catalogue and one candidate's top, whatever the number of candidates.
    """
    index = opportunities if isinstance(opportunities, OpportunityIndex) else OpportunityIndex(opportunities)
    for candidate in candidates:
        yield candidate, top_opportunities(candidate, index, today=today, limit=limit)


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


def _prefixes(code: str) -> list[str]:
    return [code[:n] for n in range(1, len(code) + 1)]


def _candidate_key(p: _Prepared, o: OpportunityFacts, row: tuple) -> tuple | None:
    """The sort key of `_order` for a pair, or None when a hard constraint fails (same rules, fewer objects)."""
    c = p.candidate
    if c.areas and o.areas and not c.areas & o.areas:
        return None
    if (o.kind == OpportunityKind.LAW68 and not c.law68_registered) or o.seats_left <= 0:
        return None
    preference = _points(p.occupations, o.occupation, OCCUPATION_POINTS) + _points(p.sectors, o.sector, SECTOR_POINTS)
    key = _key(p, row, preference)
    if key is None:
        return None
    return (-key[0], -key[1], -key[2], c.person_id)


def top_candidates(opportunity: OpportunityFacts, index: CandidateIndex, *, limit: int = 20) -> list[Match]:
    """Exactly `rank_candidates(opportunity, <the index's candidates>, today=index.today, limit=limit)`."""
    row = _row(opportunity)
    wishing = index.wishing(opportunity)
    keyed = []
    for p in wishing.values():
        key = _candidate_key(p, opportunity, row)
        if key is not None:
            keyed.append((key, p.candidate))
    best = _top(keyed, limit)
    if len(best) < limit or -best[-1][0][0] < NO_WISH_MAX:
        for person_id, p in index.prepared.items():
            if person_id not in wishing:
                key = _candidate_key(p, opportunity, row)
                if key is not None:
                    keyed.append((key, p.candidate))
        best = _top(keyed, limit)
    return [
        Match(rank=i + 1, candidate=c, opportunity=opportunity, score=score(c, opportunity))
        for i, (_k, c) in enumerate(best)
    ]


def _top(keyed: list[tuple[tuple, object]], limit: int) -> list[tuple[tuple, object]]:
    keyed.sort(key=lambda pair: pair[0])
    return keyed[:limit]
