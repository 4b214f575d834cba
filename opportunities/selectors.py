"""Reads of employers and employer relations that pages, reports and the API share."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.access import access_for
from accounts.choices import Role
from accounts.models import User
from assessments.choices import AssessmentStatus
from assessments.models import Assessment
from cases.models import Case
from opportunities import matching, skills
from opportunities.choices import (
    EMPLOYABILITY_INSTRUMENT,
    SKILLS_BALANCE_INSTRUMENT,
    Disclosure,
    OpportunityKind,
    OpportunityStatus,
    ProposalStatus,
)
from opportunities.models import EmployerContact, EmployerProfile, Opportunity, Proposal, WorkProfile
from opportunities.permissions import scouting_coordinator_org_ids
from people.choices import ConsentPurpose
from people.models import Consent, Person, active_consents

FIGURES_DEFAULT_WEEKS = 12
REMINDER_HORIZON_DAYS = 14


def employer_list_for(user):
    """The employers `user` may see, with their last contact date and the earliest pending next step."""
    pending = EmployerContact.objects.pending().filter(employer=OuterRef("pk")).order_by("next_step_on")
    return (
        EmployerProfile.objects.restrict(user, "view")
        .select_related("organisation")
        .annotate(
            last_contact_on=Max("contacts__contacted_on"),
            next_step_on=Subquery(pending.values("next_step_on")[:1]),
        )
        .order_by("organisation__name", "pk")
    )


def scouting_list_for(user):
    """Employers with open Law 68 places: most places to fill first, then the longest without a contact."""
    return (
        employer_list_for(user)
        .with_open_quota()
        .order_by("-law68_open", F("last_contact_on").asc(nulls_first=True), "organisation__name", "pk")
    )


def employer_contacts(user, employer: EmployerProfile):
    """The contact log of one employer, newest first, as `user` may read it (empty for non-scouting users)."""
    return (
        EmployerContact.objects.restrict(user, "view")
        .filter(employer=employer)
        .select_related("operator", "organisation")
        .order_by("-contacted_on", "-pk")
    )


def due_next_steps_for(user, *, today: datetime.date, horizon_days: int = REMINDER_HORIZON_DAYS):
    """The user's own next steps not yet done that fall due by `today + horizon_days`, overdue first."""
    return (
        EmployerContact.objects.restrict(user, "view")
        .pending()
        .filter(operator=user, next_step_on__lte=today + datetime.timedelta(days=horizon_days))
        .select_related("employer__organisation")
        .order_by("next_step_on", "pk")
    )


@dataclass(frozen=True)
class OperatorFigures:
    """One operator's contacts in a period."""

    operator: User
    contacts: int
    employers: int
    per_week: float


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def weeks(self) -> float:
        return ((self.end - self.start).days + 1) / 7

    @classmethod
    def last_weeks(cls, *, today: datetime.date, weeks: int = FIGURES_DEFAULT_WEEKS) -> "Period":
        return cls(start=today - datetime.timedelta(days=7 * weeks - 1), end=today)


def operator_figures(user, *, period: Period) -> list[OperatorFigures]:
    """Contacts per week and distinct employers contacted, per operator of the coordinator's organisations."""
    org_ids = scouting_coordinator_org_ids(user)
    if not org_ids:
        return []
    rows = (
        EmployerContact.objects.filter(
            organisation_id__in=org_ids, contacted_on__gte=period.start, contacted_on__lte=period.end
        )
        .values("operator_id")
        .annotate(contacts=Count("pk"), employers=Count("employer_id", distinct=True))
        .order_by()
    )
    by_operator = {row["operator_id"]: row for row in rows}
    operators = User.objects.in_bulk(list(by_operator))
    figures = [
        OperatorFigures(
            operator=operators[pk],
            contacts=row["contacts"],
            employers=row["employers"],
            per_week=round(row["contacts"] / period.weeks, 1),
        )
        for pk, row in by_operator.items()
    ]
    return sorted(figures, key=lambda f: (-f.contacts, f.operator.last_name, f.operator.first_name, f.operator.pk))


def network_totals(*, period: Period) -> dict:
    """Counts of the whole network: employers, quota places, and contacts in the period (no names)."""
    employers = EmployerProfile.objects.aggregate(
        employers=Count("pk"),
        with_quota=Count("pk", filter=Q(law68_quota__gt=0)),
        with_open_quota=Count("pk", filter=Q(law68_open__gt=0)),
        quota=Coalesce(Sum("law68_quota"), 0),
        open=Coalesce(Sum("law68_open"), 0),
    )
    contacts = EmployerContact.objects.filter(contacted_on__gte=period.start, contacted_on__lte=period.end).aggregate(
        contacts=Count("pk"),
        employers_contacted=Count("employer_id", distinct=True),
        operators=Count("operator_id", distinct=True),
    )
    contacts["per_week"] = round(contacts["contacts"] / period.weeks, 1)
    return {**employers, **contacts}


def opportunity_catalogue_for(user):
    """The opportunities `user` sees (every open one for the network's operators), newest first."""
    return (
        Opportunity.objects.restrict(user, "view")
        .select_related("organisation", "employer__organisation")
        .order_by("-created_at", "-pk")
    )


# ---------------------------------------------------------------------------------------------- matching

MATCH_LIMIT = 20
COURSES_PER_SKILL = 3


def with_seats_left(queryset):
    """Annotate `seats_left`: the seats less the proposals accepted by both sides."""
    accepted = Count("proposals", filter=Q(proposals__status=ProposalStatus.ACCEPTED))
    return queryset.annotate(seats_left=F("seats") - accepted)


def _latest_band(instrument: str):
    """A subquery: the band of the person's latest completed assessment with `instrument`."""
    latest = Assessment.objects.filter(
        person=OuterRef("person_id"),
        instrument_version__instrument__code=instrument,
        status=AssessmentStatus.COMPLETED,
    ).order_by("-assessed_on", "-pk")
    return Subquery(latest.values("band")[:1])


def latest_skills_balance(user, person):
    """The person's latest completed skills balance the user may see, or None: it prefills the skill levels."""
    return (
        Assessment.objects.restrict(user, "view")
        .filter(person=person, instrument_version__instrument__code=SKILLS_BALANCE_INSTRUMENT)
        .filter(status=AssessmentStatus.COMPLETED)
        .order_by("-assessed_on", "-pk")
        .first()
    )


def work_profiles_with_facts():
    """Work profiles with what matching needs from the person's record: Law 68 registration and readiness.

    Only these columns of the person are read: never the diagnosis or any other health field.
    """
    return WorkProfile.objects.select_related(None).annotate(
        law68_registered=F("person__law68_registered"),
        readiness=_latest_band(EMPLOYABILITY_INSTRUMENT),
    )


def candidate_facts(profile) -> matching.CandidateFacts:
    """The facts of a work profile annotated by `work_profiles_with_facts()`."""
    return matching.CandidateFacts(
        person_id=profile.person_id,
        wishes=tuple((w["kind"], w["code"]) for w in profile.wishes),
        skills=dict(profile.skills),
        max_hours=profile.max_hours_per_week,
        days=frozenset(profile.days),
        areas=frozenset(matching.normalise_area(a) for a in profile.reachable_areas),
        available_from=profile.available_from,
        law68_registered=bool(profile.law68_registered),
        readiness=profile.readiness or "",
    )


def opportunity_facts(opportunity) -> matching.OpportunityFacts:
    """The facts of an opportunity annotated by `with_seats_left()` (employer selected)."""
    return matching.OpportunityFacts(
        opportunity_id=opportunity.pk,
        kind=opportunity.kind,
        occupation=opportunity.occupation_code,
        sector=opportunity.employer.ateco_division if opportunity.employer_id else "",
        areas=matching.area_keys(comune=opportunity.comune, municipio=opportunity.municipio),
        hours=opportunity.hours_per_week,
        days=frozenset(opportunity.days),
        starts_on=opportunity.starts_on,
        ends_on=opportunity.ends_on,
        seats_left=opportunity.seats_left,
        required_skills=tuple(opportunity.required_skills),
        desired_skills=tuple(opportunity.desired_skills),
    )


def open_opportunities(*, today: datetime.date, base=None):
    """Open opportunities not yet ended, with their seats left: the pool matching draws from."""
    base = Opportunity.objects.all() if base is None else base
    return with_seats_left(
        base.filter(status=OpportunityStatus.OPEN)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("organisation", "employer__organisation")
    )


@dataclass
class ExplainedMatch:
    """One result with its explanation for a page: the match, the row, the courses teaching a missing skill."""

    match: matching.Match
    opportunity: Opportunity | None = None
    person: object = None
    courses: dict = None  # skill code -> [Opportunity]
    why: str = ""
    proposal: object = None


def _courses_for(skill_codes: set[str], *, today: datetime.date, limit: int = COURSES_PER_SKILL) -> dict:
    """Open catalogue courses teaching each of `skill_codes`, soonest first (one query)."""
    if not skill_codes:
        return {}
    courses = (
        Opportunity.objects.filter(status=OpportunityStatus.OPEN, kind=OpportunityKind.COURSE)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__gte=today))
        .exclude(skills_taught=[])
        .select_related("organisation", "employer__organisation")
        .order_by(F("starts_on").asc(nulls_last=True), "pk")
    )
    found: dict[str, list] = {code: [] for code in skill_codes}
    for course in courses.iterator():
        for code in course.skills_taught:
            if code in found and len(found[code]) < limit:
                found[code].append(course)
        if all(len(rows) >= limit for rows in found.values()):
            break
    return found


def _explain(matches: list[matching.Match]) -> list[str]:
    return [matching.explain_rank(m, matches[i + 1] if i + 1 < len(matches) else None) for i, m in enumerate(matches)]


def matches_for_person(user, person, *, today: datetime.date, limit: int = MATCH_LIMIT) -> list[ExplainedMatch]:
    """The person's ranked opportunities from the whole network, each explained (empty without a work profile)."""
    profile = work_profiles_with_facts().filter(person=person).first()
    if profile is None:
        return []
    facts = candidate_facts(profile)
    pool = open_opportunities(today=today, base=Opportunity.objects.restrict(user, "view"))
    # Hard constraints the database can apply (the same as matching's): fewer rows to score.
    if facts.max_hours is not None:
        pool = pool.filter(Q(hours_per_week__isnull=True) | Q(hours_per_week__lte=facts.max_hours))
    if not facts.law68_registered:
        pool = pool.exclude(kind=OpportunityKind.LAW68)
    pool = list(pool)
    ranked = matching.rank_opportunities(facts, [opportunity_facts(o) for o in pool], today=today, limit=limit)
    by_pk = {o.pk: o for o in pool}
    missing = {code for m in ranked for code in m.score.skills_to_learn}
    courses = _courses_for(missing, today=today)
    live = {
        p.opportunity_id: p
        for p in Proposal.objects.filter(
            person=person, opportunity_id__in=[m.opportunity.opportunity_id for m in ranked]
        ).exclude(status=ProposalStatus.WITHDRAWN)
    }
    return [
        ExplainedMatch(
            match=m,
            opportunity=by_pk[m.opportunity.opportunity_id],
            courses={code: courses.get(code, []) for code in m.score.skills_to_learn},
            why=why,
            proposal=live.get(m.opportunity.opportunity_id),
        )
        for m, why in zip(ranked, _explain(ranked), strict=True)
    ]


def caseload_person_ids(user):
    """Persons in the user's own caseload: open cases they manage, and (coordinators) their organisation's."""
    access = access_for(user)
    own = Q(case_manager=user)
    coordinated = access.org_ids({Role.COORDINATOR})
    if coordinated:
        own |= Q(organisation_id__in=coordinated)
    return Case.objects.filter(own, closed_on__isnull=True).values("person_id")


def consented_person_ids(*, today: datetime.date):
    return Consent.objects.filter(active_consents(on=today), purpose=ConsentPurpose.COMPANY_CONTACT).values("person_id")


def candidates_for_opportunity(
    user, opportunity: Opportunity, *, today: datetime.date, limit: int = MATCH_LIMIT
) -> list[ExplainedMatch]:
    """Ranked candidates for an opportunity: the user's own caseload, only those who consented to be proposed."""
    row = with_seats_left(Opportunity.objects.filter(pk=opportunity.pk).select_related("employer")).get()
    facts = opportunity_facts(row)
    persons = Person.objects.restrict(user, "view").filter(pk__in=caseload_person_ids(user))
    profiles = list(
        work_profiles_with_facts()
        .filter(person__in=persons.values("pk"))
        .filter(person__in=consented_person_ids(today=today))
    )
    ranked = matching.rank_candidates(facts, [candidate_facts(p) for p in profiles], today=today, limit=limit)
    people = Person.objects.in_bulk([m.candidate.person_id for m in ranked])
    live = {
        p.person_id: p
        for p in Proposal.objects.filter(opportunity=opportunity, person_id__in=list(people)).exclude(
            status=ProposalStatus.WITHDRAWN
        )
    }
    return [
        ExplainedMatch(match=m, person=people[m.candidate.person_id], why=why, proposal=live.get(m.candidate.person_id))
        for m, why in zip(ranked, _explain(ranked), strict=True)
    ]


# ---------------------------------------------------------------------------------------------- proposals


def proposals_for(user):
    """The proposals `user` may see (treating team, or the company within the candidate's consent), newest first."""
    return (
        Proposal.objects.restrict(user, "view")
        .select_related("opportunity__organisation", "opportunity__employer__organisation", "person", "proposed_by")
        .order_by("-proposed_on", "-pk")
    )


@dataclass(frozen=True)
class EquityRow:
    """One ASST's share of the active candidates against its share of proposals and acceptances (counts only)."""

    name: str
    candidates: int
    proposals: int
    accepted: int
    candidate_share: float
    proposal_share: float
    accepted_share: float

    @property
    def proposal_ratio(self) -> float | None:
        """Share of proposals ÷ share of candidates: 1 is fair, below 1 fewer proposals than its weight."""
        return round(self.proposal_share / self.candidate_share, 2) if self.candidate_share else None


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def equity_by_asst(*, since: datetime.date) -> list[EquityRow]:
    """Per ASST (and hospital foundation): active job-inclusion candidates, proposals and acceptances since `since`.

    Active candidates are persons with an open case in the work area. Counts only: no person is named.
    """
    from accounts.choices import OrganisationKind
    from accounts.models import Organisation

    kinds = (OrganisationKind.ASST, OrganisationKind.HOSPITAL_FOUNDATION)
    orgs = Organisation.objects.filter(kind__in=kinds).order_by("name")
    candidates = dict(
        Case.objects.filter(organisation__kind__in=kinds, area="work", closed_on__isnull=True)
        .values("organisation_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("organisation_id", "n")
    )
    proposals = {
        row["organisation_id"]: row
        for row in Proposal.objects.filter(proposed_on__gte=since, organisation__kind__in=kinds)
        .values("organisation_id")
        .annotate(n=Count("pk"), accepted=Count("pk", filter=Q(status=ProposalStatus.ACCEPTED)))
        .order_by()
    }
    total_c = sum(candidates.values())
    total_p = sum(row["n"] for row in proposals.values())
    total_a = sum(row["accepted"] for row in proposals.values())
    rows = []
    for org in orgs:
        c = candidates.get(org.pk, 0)
        p = proposals.get(org.pk, {}).get("n", 0)
        a = proposals.get(org.pk, {}).get("accepted", 0)
        if not (c or p):
            continue
        rows.append(
            EquityRow(
                name=org.short_name or org.name,
                candidates=c,
                proposals=p,
                accepted=a,
                candidate_share=_share(c, total_c),
                proposal_share=_share(p, total_p),
                accepted_share=_share(a, total_a),
            )
        )
    return rows


@dataclass(frozen=True)
class CompanyCard:
    """What a company sees of a proposed candidate (skill labels in the request's language): never clinical data."""

    display_name: str
    skills_held: tuple[str, ...]
    skills_to_develop: tuple[str, ...]
    disclosure: str
    disclosure_text: str
    law68_registered: bool | None  # None: the candidate did not let employers know
    contact: str


def company_card(proposal: Proposal) -> CompanyCard:
    """The candidate as the employer sees them. Nothing from the record but the name; the rest from the profile.

    Disclosure none: no word of a disability, not even the Law 68 registration. Disability: the registration.
    Details: the registration and the text the candidate agreed to. The diagnosis, invalidity percentage,
    assessments and notes are never shown.
    """
    person = proposal.person
    try:
        # Read through the relation, so that a list that selected `person__work_profile` runs no query per row.
        profile = person.work_profile
    except WorkProfile.DoesNotExist:
        profile = None
    disclosure = profile.disclosure if profile else Disclosure.NONE
    levels = profile.skills if profile else {}
    asked = [*proposal.opportunity.required_skills, *proposal.opportunity.desired_skills]
    operator = proposal.proposed_by
    return CompanyCard(
        display_name=f"{person.first_name} {person.last_name[:1]}.",
        skills_held=tuple(skills.label(s) for s in asked if levels.get(s, 0) >= matching.HELD_LEVEL),
        skills_to_develop=tuple(skills.label(s) for s in asked if levels.get(s, 0) < matching.HELD_LEVEL),
        disclosure=disclosure,
        disclosure_text=profile.disclosure_text if profile and disclosure == Disclosure.DETAILS else "",
        law68_registered=person.law68_registered if disclosure != Disclosure.NONE else None,
        contact=f"{operator.get_full_name() or operator.get_username()} ({proposal.organisation})",
    )
