"""Reads of paths, follow-ups, events, activities and groups that pages, the API and reports share."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Q, Sum, Value, When

from accounts.access import access_for
from accounts.choices import Role
from cases.selectors import suppress_small
from paths.choices import (
    FINAL_STATUSES,
    HIRING_KINDS,
    INTERNSHIP_KINDS,
    EnrolmentStatus,
    EventKind,
    PathKind,
    PathStatus,
)
from paths.models import Activity, Enrolment, FollowUp, Path, ProgrammeEvent

# Seed 000: at most 20% of the reported activities may be not attributable to a single patient.
NON_ATTRIBUTABLE_CEILING = Decimal("0.20")
# The gauge turns amber this close to the ceiling, so that the team can act before crossing it.
NON_ATTRIBUTABLE_WARNING = Decimal("0.18")


def host_interns_running(host_id: int, start: datetime.date, end: datetime.date, *, exclude_pk=None) -> int:
    """The host's internships (any organisation's) planned or running at some time between start and end."""
    qs = Path.objects.filter(host_id=host_id, kind__in=INTERNSHIP_KINDS, starts_on__lte=end).filter(
        Q(ended_on__isnull=True, planned_end_on__isnull=True)
        | Q(ended_on__isnull=True, planned_end_on__gte=start)
        | Q(ended_on__gte=start)
    )
    qs = qs.exclude(status__in=[PathStatus.INTERRUPTED, PathStatus.CONVERTED], ended_on__lt=start)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


def paths_of_person(user, person):
    """The person's paths the user reaches, newest first."""
    return (
        Path.objects.restrict(user, "view")
        .filter(person=person)
        .select_related("host", "organisation", "service_tutor", "opportunity")
        .order_by("-starts_on", "-pk")
    )


def events_of_person(user, person):
    """The person's programme events the user may see (hospitalisations only for treating clinicians)."""
    return ProgrammeEvent.objects.restrict(user, "view").filter(person=person).select_related("path", "recorded_by")


def follow_up_agenda(user, *, today: datetime.date, whole_team: bool = False):
    """Checks not done of open hirings: those the user tutors or whose case they manage, or the whole team's
    for a coordinator asking for it; overdue first.
    """
    qs = FollowUp.objects.restrict(user, "view").filter(done_on__isnull=True, cancelled=False)
    qs = qs.exclude(path__status__in=FINAL_STATUSES)
    coordinated = access_for(user).org_ids({Role.COORDINATOR})
    if whole_team and coordinated:
        qs = qs.filter(path__organisation_id__in=coordinated)
    else:
        qs = qs.filter(Q(path__service_tutor=user) | Q(path__case__case_manager=user))
    return qs.select_related("path__person", "path__host").order_by("due_on", "pk")


def overdue_follow_ups_count(user, *, today: datetime.date) -> int:
    """For the case manager's home page: how many of the user's checks are overdue."""
    return follow_up_agenda(user, today=today).filter(due_on__lt=today).count()


@dataclass(frozen=True)
class CeilingStatus:
    """The share of non-attributable activities of a period against the ceiling."""

    total: int
    non_attributable: int
    minutes_total: int
    minutes_non_attributable: int

    ceiling = NON_ATTRIBUTABLE_CEILING
    warning = NON_ATTRIBUTABLE_WARNING

    @property
    def share(self) -> Decimal:
        return Decimal(self.non_attributable) / self.total if self.total else Decimal(0)

    @property
    def percent(self) -> Decimal:
        return (self.share * 100).quantize(Decimal("0.1"))

    @property
    def ceiling_percent(self) -> int:
        return int(self.ceiling * 100)

    @property
    def state(self) -> str:
        """ "over" above the ceiling, "near" from the warning up to it, else "ok"."""
        if self.share > self.ceiling:
            return "over"
        if self.share >= self.warning:
            return "near"
        return "ok"

    @property
    def share_with_one_more(self) -> Decimal:
        """The share in percent if one more non-attributable activity were recorded."""
        return (Decimal(self.non_attributable + 1) * 100 / (self.total + 1)).quantize(Decimal("0.1"))

    @property
    def would_cross_with_one_more(self) -> bool:
        return Decimal(self.non_attributable + 1) / (self.total + 1) > self.ceiling

    @property
    def room(self) -> int:
        """How many more non-attributable activities fit under the ceiling: n with (na + n) / (total + n) <= c."""
        n = (self.ceiling * self.total - self.non_attributable) / (1 - self.ceiling)
        return max(0, int(n))

    @property
    def attributable_needed(self) -> int:
        """How many attributable activities would bring an over-ceiling period back under it."""
        if self.share <= self.ceiling:
            return 0
        needed = Decimal(self.non_attributable) / self.ceiling - self.total
        whole = int(needed)
        return whole if whole == needed else whole + 1


def ceiling_status(*, organisation_ids, programme_code: str, start: datetime.date, end: datetime.date) -> CeilingStatus:
    """The non-attributable share of the organisations' activities of a programme between start and end."""
    row = Activity.objects.filter(
        organisation_id__in=list(organisation_ids), programme_code=programme_code, performed_on__range=(start, end)
    ).aggregate(
        total=Count("pk"),
        non_attributable=Count("pk", filter=Q(person__isnull=True)),
        minutes_total=Sum("minutes"),
        minutes_non_attributable=Sum("minutes", filter=Q(person__isnull=True)),
    )
    return CeilingStatus(
        total=row["total"],
        non_attributable=row["non_attributable"],
        minutes_total=row["minutes_total"] or 0,
        minutes_non_attributable=row["minutes_non_attributable"] or 0,
    )


def activities_for_period(user, *, start: datetime.date, end: datetime.date, programme_code: str | None = None):
    """The activities of the user's organisations in a period, for the log and the export."""
    qs = Activity.objects.restrict(user, "view").filter(performed_on__range=(start, end))
    if programme_code:
        qs = qs.filter(programme_code=programme_code)
    return qs.select_related("operator", "person", "organisation").order_by("performed_on", "pk")


def activity_kind_counts(qs) -> list[tuple[str, int, int]]:
    """(kind, attributable, not attributable) of an activity queryset."""
    rows = (
        qs.order_by()
        .values("kind")
        .annotate(attr=Count("pk", filter=Q(person__isnull=False)), non=Count("pk", filter=Q(person__isnull=True)))
    )
    return [(row["kind"], row["attr"], row["non"]) for row in rows]


def outcome_counts(*, start: datetime.date, end: datetime.date, organisation_ids=None) -> dict:
    """Seed 000's figures for a period, from every row whatever the reader may see: persons with at least one
    course, internship, hiring, hospitalisation for psychic decompensation, drop-out. Small cells suppressed.

    Hospitalisations are counted although only treating clinicians read them (issue 5, part 4).
    """
    paths = Path.objects.filter(starts_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    events = ProgrammeEvent.objects.filter(occurred_on__range=(start, end))
    if organisation_ids is not None:
        paths = paths.filter(organisation_id__in=list(organisation_ids))
        events = events.filter(organisation_id__in=list(organisation_ids))
    persons_in = paths.values("person_id").distinct().count()

    def persons(qs):
        return qs.values("person_id").distinct().count()

    return {
        "candidates": suppress_small(persons_in),
        "courses": suppress_small(persons(paths.filter(kind=PathKind.COURSE))),
        "internships": suppress_small(persons(paths.filter(kind__in=INTERNSHIP_KINDS))),
        "hirings": suppress_small(persons(paths.filter(kind__in=HIRING_KINDS))),
        "hospitalisations": suppress_small(persons(events.filter(kind=EventKind.HOSPITALISATION))),
        "drop_outs": suppress_small(persons(events.filter(kind=EventKind.DROP_OUT))),
    }


def path_event_counts(user, path: Path) -> dict[str, int]:
    """The events of one path the user may see, by kind (a hospitalisation counts only for treating clinicians:
    a count on one person's path would reveal it; the aggregates count every event).
    """
    rows = ProgrammeEvent.objects.restrict(user, "view").filter(path=path).order_by().values_list("kind")
    return dict(rows.annotate(n=Count("pk")))


def group_participants(user, group):
    """The group's enrolments the user reaches, enrolled first then the waiting list in order."""
    return (
        Enrolment.objects.restrict(user, "view")
        .filter(group=group)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("person", "referring_unit__organisation")
        .annotate(waiting=Case(When(status=EnrolmentStatus.WAITING, then=Value(1)), default=Value(0)))
        .order_by("waiting", "created_at", "pk")
    )


@dataclass(frozen=True)
class Feedback:
    """The end-of-group report on one participant, for the referring team."""

    enrolment: Enrolment
    sessions: int
    attended: int
    absent: int

    @property
    def attendance_percent(self) -> int:
        return round(100 * self.attended / self.sessions) if self.sessions else 0

    @property
    def change(self) -> int | None:
        e = self.enrolment
        if e.score_before is None or e.score_after is None:
            return None
        return e.score_after - e.score_before


def feedback_report(enrolment: Enrolment) -> Feedback:
    """Attendance over the group's sessions held so far, the evaluation and the conductors' notes."""
    sessions = enrolment.group.sessions.count()
    marks = enrolment.register.aggregate(
        attended=Count("pk", filter=Q(present=True)), absent=Count("pk", filter=Q(present=False))
    )
    return Feedback(enrolment=enrolment, sessions=sessions, attended=marks["attended"], absent=marks["absent"])
