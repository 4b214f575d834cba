"""Demo job-inclusion paths, events, activities and the current year's training groups, shaped like seed 000.

Seed 000 (2012 – June 2018, 906 candidates): 45% at least one training course, 38% at least one extra-curricular
internship, 22% hired at least once, 6% hospitalised for psychic decompensation, 3% drop-out. The demo draws each
Polo Lavoro candidate's history over the last few years with about those shares, internships turning into hirings
with their follow-up checks, monthly attendance of internships, the operators' activities (about 15% not
attributable to a single patient, under seed 000's 20% ceiling) and the current year's groups with sessions,
enrolments and a waiting list. Plain rows, bulk-inserted, no audit events (seeding is not a user action).
Idempotent: persons who already have paths are skipped; groups are found by year and title.

seed_demo calls `seed_paths(rng=random.Random(seed), today=timezone.localdate())` after the assessments.
"""

import datetime
import random
import zlib
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.choices import PERSON_WRITE_ROLES, Role, UnitKind
from accounts.models import Membership, Organisation
from cases.models import Case
from paths.choices import (
    FINAL_STATUSES,
    FOLLOW_UP_MONTHS,
    ActivityKind,
    BeneficiaryCategory,
    EnrolmentStatus,
    EventKind,
    FollowUpOutcome,
    GroupStatus,
    InterruptionReason,
    JobEndReason,
    PathKind,
    PathStatus,
)
from paths.models import (
    Activity,
    Enrolment,
    FollowUp,
    GroupSession,
    MonthlyAttendance,
    Path,
    PathChange,
    ProgrammeEvent,
    SessionAttendance,
    TrainingGroup,
)
from paths.rules import add_months
from paths.services import profession_code

SHARE = 0.5  # of the persons with a Polo Lavoro case
YEARS = 4  # of history
# Seed 000's shares among candidates, used as probabilities per demo candidate.
P_COURSE, P_INTERNSHIP, P_HIRED_AFTER_INTERNSHIP, P_DIRECT_HIRING = 0.45, 0.38, 0.45, 0.05
P_HOSPITALISED, P_DROP_OUT = 0.06, 0.03
NON_ATTRIBUTABLE_SHARE = 0.15
BATCH = 2000

GROUPS = [
    ("Il colloquio di lavoro", "Prepararsi al colloquio: presentarsi, raccontare le proprie esperienze, simulate."),
    ("Cercare lavoro online", "Portali, candidature, curriculum e lettera di presentazione."),
    ("Stare bene al lavoro", "Gestire lo stress, le relazioni con i colleghi e i responsabili."),
    ("Diritti e doveri del lavoratore", "Contratti, buste paga, collocamento mirato (Legge 68/1999)."),
    ("Competenze digitali di base", "Posta elettronica, SPID, documenti condivisi."),
    ("Dal tirocinio all'assunzione", "Che cosa chiedono le aziende, come mantenere il posto di lavoro."),
]


def _staff_by_org() -> dict[int, list[tuple[int, str]]]:
    """(user, profession) of the writing members of each organisation's Polo Lavoro."""
    staff: dict[int, list[tuple[int, str]]] = {}
    rows = Membership.objects.filter(
        is_active=True, role__in=PERSON_WRITE_ROLES, unit__kind=UnitKind.POLO_LAVORO
    ).values_list("unit__organisation_id", "user_id", "user__profession")
    for org_id, user_id, profession in rows.order_by("pk"):
        staff.setdefault(org_id, []).append((user_id, profession))
    return staff


def _hosts() -> list[tuple[int, bool]]:
    """(organisation, is a company) of the employers with a profile, the hosts of the demo paths."""
    return list(
        Organisation.objects.filter(employer_profile__isnull=False, is_active=True)
        .order_by("pk")
        .values_list("pk", "kind")
    )


class _Builder:
    """Collects the rows of one batch of candidates, then inserts them in order."""

    def __init__(self, *, rng, today, hosts, staff):
        self.rng, self.today, self.hosts, self.staff = rng, today, hosts, staff
        self.paths: list[Path] = []
        self.after: list = []  # (path, kind, payload) built once the paths have their keys

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        days = max(0, (end - start).days)
        return start + datetime.timedelta(days=self.rng.randint(0, days))

    def _path(self, case, tutor, *, kind, starts_on, planned_end_on, status, ended_on=None, **extra) -> Path:
        host = self.rng.choice(self.hosts)[0]
        path = Path(
            person_id=case.person_id,
            organisation_id=case.organisation_id,
            case=case,
            host_id=host,
            kind=kind,
            status=status,
            starts_on=starts_on,
            planned_end_on=planned_end_on,
            ended_on=ended_on,
            service_tutor_id=tutor,
            host_tutor=self.rng.choice(["Sig. Bianchi", "Sig.ra Colombo", "Sig. Ferri", "Sig.ra Galli"]),
            hours_per_week=Decimal(self.rng.choice([15, 20, 25, 30])),
            beneficiary_category=self.rng.choice([BeneficiaryCategory.DISADVANTAGED, BeneficiaryCategory.DISABLED]),
            **extra,
        )
        self.paths.append(path)
        return path

    def candidate(self, case) -> None:
        rng, today = self.rng, self.today
        staff = self.staff.get(case.organisation_id) or [(None, "")]
        tutor = rng.choice(staff)[0]
        first = max(case.opened_on, today - datetime.timedelta(days=365 * YEARS))
        cursor = self._date_between(first, min(today, first + datetime.timedelta(days=120)))
        if rng.random() < P_COURSE and cursor < today:
            end = min(add_months(cursor, rng.choice([2, 3, 4])), today)
            done = end < today
            path = self._path(
                case,
                tutor,
                kind=PathKind.COURSE,
                starts_on=cursor,
                planned_end_on=end,
                status=PathStatus.COMPLETED if done else PathStatus.ACTIVE,
                ended_on=end if done else None,
                title=rng.choice(
                    ["Corso di informatica", "Corso HACCP", "Orientamento al lavoro", "Corso di magazzino"]
                ),
            )
            self.after.append((path, "history", None))
            cursor = end + datetime.timedelta(days=rng.randint(15, 90))
        if rng.random() < P_INTERNSHIP and cursor < today:
            planned = add_months(cursor, 6) - datetime.timedelta(days=1)
            fate = rng.random()
            if planned >= today:
                status, ended = PathStatus.ACTIVE, None
            elif fate < P_HIRED_AFTER_INTERNSHIP:
                status, ended = PathStatus.CONVERTED, planned
            elif fate < 0.85:
                status, ended = PathStatus.COMPLETED, planned
            else:
                status, ended = PathStatus.INTERRUPTED, self._date_between(cursor, planned)
            internship = self._path(
                case,
                tutor,
                kind=rng.choice([PathKind.INTERNSHIP, PathKind.INTERNSHIP, PathKind.INCLUSION_INTERNSHIP]),
                starts_on=cursor,
                planned_end_on=planned,
                status=status,
                ended_on=ended,
                monthly_indemnity=Decimal(rng.choice([500, 500, 600])),
                meal_vouchers=rng.random() < 0.3,
                interruption_reason=rng.choice(list(InterruptionReason.values))
                if status == PathStatus.INTERRUPTED
                else "",
                title=rng.choice(["Addetto al magazzino", "Aiuto cuoco", "Impiegato d'ordine", "Addetto alle pulizie"]),
            )
            self.after.append((internship, "history", None))
            self.after.append((internship, "attendance", None))
            if status == PathStatus.CONVERTED:
                self._hiring(case, tutor, ended + datetime.timedelta(days=1), previous=internship)
        elif rng.random() < P_DIRECT_HIRING and cursor < today:
            self._hiring(case, tutor, cursor)
        if rng.random() < P_HOSPITALISED:
            self.after.append((None, "event", (case, EventKind.HOSPITALISATION, tutor)))
        if rng.random() < P_DROP_OUT and case.closed_on is None:
            self.after.append((None, "event", (case, EventKind.DROP_OUT, tutor)))
        self.after.append((None, "activities", (case, staff)))

    def _hiring(self, case, tutor, start: datetime.date, previous=None) -> None:
        rng, today = self.rng, self.today
        kind = rng.choice(
            [PathKind.HIRING_FIXED_TERM, PathKind.HIRING_OPEN_ENDED, PathKind.LAW68_HIRING, PathKind.COOP_B]
        )
        end = add_months(start, 12) if kind == PathKind.HIRING_FIXED_TERM else None
        status, ended, reason = PathStatus.ACTIVE, None, ""
        if end and end < today:
            status, ended, reason = PathStatus.COMPLETED, end, JobEndReason.CONTRACT_END
        elif rng.random() < 0.15 and start < today - datetime.timedelta(days=60):
            status, ended = PathStatus.INTERRUPTED, self._date_between(start + datetime.timedelta(days=30), today)
            reason = rng.choice([JobEndReason.RESIGNATION, JobEndReason.DISMISSAL, JobEndReason.HEALTH])
        hiring = self._path(
            case,
            tutor,
            kind=kind,
            starts_on=start,
            planned_end_on=end,
            status=status,
            ended_on=ended,
            previous=previous,
            job_end_reason=reason,
            interruption_reason=InterruptionReason.OTHER if status == PathStatus.INTERRUPTED else "",
            title=previous.title if previous else "Operaio generico",
        )
        self.after.append((hiring, "history", None))
        self.after.append((hiring, "follow_up", None))

    # ------------------------------------------------------------------ the rows that need the paths' keys

    def dependants(self):
        rng, today = self.rng, self.today
        changes, follow_ups, attendance, events, activities = [], [], [], [], []
        for path, what, payload in self.after:
            if what == "history":
                changes.append(
                    PathChange(
                        path=path,
                        from_status="",
                        to_status=PathStatus.PLANNED,
                        on=path.starts_on,
                        by_id=path.service_tutor_id,
                    )
                )
                changes.append(
                    PathChange(
                        path=path,
                        from_status=PathStatus.PLANNED,
                        to_status=PathStatus.ACTIVE,
                        on=path.starts_on,
                        by_id=path.service_tutor_id,
                    )
                )
                if path.ended_on:
                    changes.append(
                        PathChange(
                            path=path,
                            from_status=PathStatus.ACTIVE,
                            to_status=path.status,
                            on=path.ended_on,
                            reason=path.interruption_reason or path.job_end_reason,
                            by_id=path.service_tutor_id,
                        )
                    )
            elif what == "follow_up":
                for months in FOLLOW_UP_MONTHS:
                    due = add_months(path.starts_on, months)
                    if path.ended_on and due > path.ended_on:
                        continue
                    done = due < today - datetime.timedelta(days=10) and rng.random() < 0.85
                    follow_ups.append(
                        FollowUp(
                            path=path,
                            months=months,
                            due_on=due,
                            done_on=due + datetime.timedelta(days=rng.randint(0, 9)) if done else None,
                            outcome=rng.choice([FollowUpOutcome.STABLE] * 4 + [FollowUpOutcome.DIFFICULTIES])
                            if done
                            else "",
                            done_by_id=path.service_tutor_id if done else None,
                        )
                    )
            elif what == "attendance":
                month = path.starts_on.replace(day=1)
                last = min(path.ended_on or today, today)
                while month <= last:
                    planned = Decimal(path.hours_per_week) * 4
                    attended = (planned * Decimal(rng.choice([1, 1, 0.95, 0.9, 0.85, 0.7, 0.5]))).quantize(
                        Decimal("0.5")
                    )
                    share = attended / planned
                    due = (
                        path.monthly_indemnity
                        if share >= Decimal("0.8")
                        else max((path.monthly_indemnity * share).quantize(Decimal("0.01")), Decimal("300.00"))
                    )
                    attendance.append(
                        MonthlyAttendance(
                            path=path,
                            month=month,
                            planned_hours=planned,
                            attended_hours=attended,
                            indemnity_due=due,
                            recorded_by_id=path.service_tutor_id,
                        )
                    )
                    month = add_months(month, 1)
            elif what == "event":
                case, kind, tutor = payload
                # A drop-out comes after the paths started (it interrupts them); a stay may fall any time.
                starts = [p.starts_on for p in self.paths if p.case is case]
                earliest = max([case.opened_on, *starts]) if kind == EventKind.DROP_OUT else case.opened_on
                day = self._date_between(earliest, today)
                events.append(
                    ProgrammeEvent(
                        person_id=case.person_id,
                        organisation_id=case.organisation_id,
                        case=case,
                        kind=kind,
                        occurred_on=day,
                        ended_on=min(today, day + datetime.timedelta(days=rng.randint(7, 30)))
                        if kind == EventKind.HOSPITALISATION
                        else None,
                        recorded_by_id=tutor,
                    )
                )
            elif what == "activities":
                case, staff = payload
                for _ in range(rng.randint(4, 14)):
                    user, profession = rng.choice(staff)
                    if user is None:
                        continue
                    activities.append(
                        Activity(
                            organisation_id=case.organisation_id,
                            operator_id=user,
                            profession=profession_code(profession),
                            performed_on=self._date_between(
                                max(case.opened_on, today - datetime.timedelta(days=365 * YEARS)), today
                            ),
                            minutes=rng.choice([30, 45, 60, 60, 90]),
                            kind=rng.choice(
                                [
                                    ActivityKind.INTERVIEW,
                                    ActivityKind.COACHING,
                                    ActivityKind.COACHING,
                                    ActivityKind.COMPANY_VISIT,
                                ]
                            ),
                            person_id=case.person_id,
                        )
                    )
        # Not attributable: network meetings, group sessions, staff training, about 15% of each organisation's
        # activities (the 20% ceiling counts per organisation, so the share is kept per organisation too).
        by_org: dict[int, list[tuple]] = {}
        for a in activities:
            by_org.setdefault(a.organisation_id, []).append(
                (a.organisation_id, a.operator_id, a.profession, a.performed_on)
            )
        extra = []
        for own in by_org.values():
            for _ in range(int(len(own) * NON_ATTRIBUTABLE_SHARE / (1 - NON_ATTRIBUTABLE_SHARE))):
                extra.append(rng.choice(own))
        for org, user, profession, day in extra:
            activities.append(
                Activity(
                    organisation_id=org,
                    operator_id=user,
                    profession=profession,
                    performed_on=day,
                    minutes=rng.choice([60, 90, 120]),
                    kind=rng.choice(
                        [ActivityKind.NETWORK_MEETING, ActivityKind.GROUP_SESSION, ActivityKind.STAFF_TRAINING]
                    ),
                )
            )
        return changes, follow_ups, attendance, events, activities


def _close_for_drop_outs(events: list[ProgrammeEvent]) -> None:
    """A drop-out closes its case and interrupts its open paths (the services do it for users; the demo writes
    the rows).
    """
    for event in events:
        if event.kind != EventKind.DROP_OUT or event.case.closed_on is not None:
            continue
        Case.objects.filter(pk=event.case_id).update(
            status="closed", closed_on=max(event.occurred_on, event.case.opened_on), closing_reason="drop_out"
        )
        for path in Path.objects.filter(case_id=event.case_id).exclude(status__in=sorted(FINAL_STATUSES)):
            path.status = PathStatus.INTERRUPTED
            path.interruption_reason = InterruptionReason.DROP_OUT
            path.ended_on = max(event.occurred_on, path.starts_on)
            path.save(update_fields=["status", "interruption_reason", "ended_on"])
            FollowUp.objects.filter(path=path, done_on__isnull=True, due_on__gt=path.ended_on).update(cancelled=True)


def seed_groups(*, rng: random.Random, today: datetime.date) -> int:
    """The current year's catalogue: groups conducted by the programme team with a Polo Lavoro, with sessions,
    enrolments (one full, with a waiting list) and the register of the sessions already held. Returns how many.
    """
    year = today.year
    team = (
        Membership.objects.filter(is_active=True, unit__kind=UnitKind.PROGRAMME_TEAM, role__in=PERSON_WRITE_ROLES)
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    if team is None:
        team = (
            Membership.objects.filter(is_active=True, unit__kind=UnitKind.POLO_LAVORO, role=Role.COORDINATOR)
            .select_related("unit")
            .order_by("pk")
            .first()
        )
    if team is None:
        return 0
    partners = list(
        Membership.objects.filter(is_active=True, unit__kind=UnitKind.POLO_LAVORO, role__in=PERSON_WRITE_ROLES)
        .exclude(unit__organisation_id=team.unit.organisation_id)
        .select_related("unit")
        .order_by("pk")
    )
    if not partners:
        return 0
    added = 0
    tz = timezone.get_current_timezone()
    for n, (title, topic) in enumerate(GROUPS):
        if TrainingGroup.objects.filter(year=year, title=title).exists():
            continue
        partner = partners[n % len(partners)]
        first_day = datetime.date(year, 2 + 2 * (n % 5), 3 + n)
        held = first_day < today
        group = TrainingGroup.objects.create(
            year=year,
            title=title,
            topic=topic,
            target="Candidati dei Poli Lavoro",
            organisation_id=team.unit.organisation_id,
            partner_organisation_id=partner.unit.organisation_id,
            conductor_id=team.user_id,
            co_conductor_id=partner.user_id,
            place=rng.choice(
                ["Via Sassetti 32, Milano", "Via Statuto 5, Milano", "Piazza Ospedale Maggiore 3, Milano"]
            ),
            capacity=8 if n else 4,
            status=GroupStatus.CLOSED if held and n % 2 else (GroupStatus.RUNNING if held else GroupStatus.OPEN),
        )
        sessions = [
            GroupSession.objects.create(
                group=group,
                starts_at=timezone.make_aware(
                    datetime.datetime.combine(first_day + datetime.timedelta(weeks=w), datetime.time(14)), tz
                ),
                ends_at=timezone.make_aware(
                    datetime.datetime.combine(first_day + datetime.timedelta(weeks=w), datetime.time(16)), tz
                ),
                subject=f"Incontro {w + 1}",
            )
            for w in range(4)
        ]
        cases = list(
            Case.objects.filter(unit=partner.unit, closed_on__isnull=True, person__merged_into__isnull=True).order_by(
                "pk"
            )[: group.capacity + (2 if n == 0 else 0)]
        )
        for i, case in enumerate(cases):
            enrolment = Enrolment.objects.create(
                group=group,
                person_id=case.person_id,
                referring_unit=partner.unit,
                referring_organisation_id=partner.unit.organisation_id,
                enrolled_by_id=partner.user_id,
                status=EnrolmentStatus.ENROLLED if i < group.capacity else EnrolmentStatus.WAITING,
            )
            if enrolment.status != EnrolmentStatus.ENROLLED:
                continue
            before = rng.randint(1, 3)
            enrolment.score_before = before
            held_sessions = [s for s in sessions if s.starts_at.date() < today]
            if held_sessions and len(held_sessions) == len(sessions):
                enrolment.score_after = min(5, before + rng.randint(0, 2))
                enrolment.conductors_note = rng.choice(
                    ["Partecipa con interesse.", "Più sicuro nel presentarsi.", "Da sostenere nella puntualità."]
                )
            enrolment.save()
            SessionAttendance.objects.bulk_create(
                SessionAttendance(session=s, enrolment=enrolment, present=rng.random() < 0.85) for s in held_sessions
            )
        added += 1
    return added


def seed_paths(*, rng: random.Random, today: datetime.date | None = None, share: float = SHARE) -> dict[str, int]:
    """Create the demo paths and everything around them for about `share` of the Polo Lavoro candidates without
    paths, and the current year's groups; returns the counts added.
    """
    today = today or timezone.localdate()
    hosts = _hosts()
    staff = _staff_by_org()
    counts = {"paths": 0, "events": 0, "activities": 0, "groups": 0}
    if hosts and staff:
        # A candidate is drawn by a hash of their fiscal code, not by the generator, so that a second run draws the
        # same ones, and not by their key, which depends on what the database's sequences gave out before (on
        # PostgreSQL, other tests); those done already (every drawn candidate gets activities) are skipped.
        done = set(Activity.objects.filter(person__isnull=False).values_list("person_id", flat=True).distinct())
        done |= set(Path.objects.values_list("person_id", flat=True).distinct())
        cases = (
            # Open cases only: a path of a closed case would have to end with it.
            Case.objects.filter(
                unit__kind=UnitKind.POLO_LAVORO, closed_on__isnull=True, person__merged_into__isnull=True
            )
            .exclude(person_id__in=done)
            .annotate(fiscal_code=F("person__fiscal_code"))
            .order_by("person_id", "opened_on", "pk")
        )
        chosen, seen = [], set()
        for case in cases:
            if case.person_id not in seen and zlib.crc32(case.fiscal_code.encode()) % 1000 < share * 1000:
                chosen.append(case)
            seen.add(case.person_id)
        for start in range(0, len(chosen), BATCH // 4):
            builder = _Builder(rng=rng, today=today, hosts=hosts, staff=staff)
            for case in chosen[start : start + BATCH // 4]:
                builder.candidate(case)
            with transaction.atomic():
                # Paths first (a hiring points at the internship it came from, inserted before it).
                # Internships before the hirings they turned into, so that the hirings can point at them.
                Path.objects.bulk_create([p for p in builder.paths if p.previous is None], batch_size=BATCH)
                Path.objects.bulk_create([p for p in builder.paths if p.previous is not None], batch_size=BATCH)
                changes, follow_ups, attendance, events, activities = builder.dependants()
                PathChange.objects.bulk_create(changes, batch_size=BATCH)
                FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
                MonthlyAttendance.objects.bulk_create(attendance, batch_size=BATCH)
                ProgrammeEvent.objects.bulk_create(events, batch_size=BATCH)
                Activity.objects.bulk_create(activities, batch_size=BATCH)
                _close_for_drop_outs(events)
            counts["paths"] += len(builder.paths)
            counts["events"] += len(events)
            counts["activities"] += len(activities)
    counts["groups"] = seed_groups(rng=rng, today=today)
    return counts
