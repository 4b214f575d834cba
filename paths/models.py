"""Job-inclusion paths, their follow-up and events, activities and training groups (issue 5).

Every row belongs to an organisation and is reached through `restrict()`: a path, its attendance and follow-ups
by the organisation that runs it; a hospitalisation only by clinical roles of an organisation treating the
person; an activity by its organisation; a group's catalogue entry by the whole network, its enrolments by the
conducting and the referring organisations. Who may do what is in permissions.py and docs/paths.md.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet
from paths.choices import (
    FINAL_STATUSES,
    HIRING_KINDS,
    INTERNSHIP_KINDS,
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
    Profession,
)


def _orgs(user, action) -> frozenset[int]:
    access = access_for(user)
    return access.write_org_ids if action == CHANGE else access.person_org_ids


# ---------------------------------------------------------------------------------------------- rules


class InternshipRulesQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date):
        """The rule set in force on `day` (the latest that started on or before it), or None."""
        return self.filter(valid_from__lte=day).order_by("-valid_from").first()


class InternshipRules(models.Model):
    """Lombardy's extra-curricular internship rules from a date: durations, indemnity floors, hosts' limits.

    Kept as dated data, not constants, because the Region changes them; a path is checked against the set in
    force on its start date. Sources in docs/paths.md.
    """

    valid_from = models.DateField(_("in force from"), unique=True)
    source = models.CharField(_("source"), max_length=200)
    max_months_standard = models.PositiveSmallIntegerField(_("maximum months, general rule"))
    max_months_disadvantaged = models.PositiveSmallIntegerField(_("maximum months, disadvantaged people"))
    max_months_disabled = models.PositiveSmallIntegerField(_("maximum months, people with disabilities"))
    min_indemnity = models.DecimalField(_("minimum monthly indemnity"), max_digits=7, decimal_places=2)
    min_indemnity_meal_vouchers = models.DecimalField(
        _("minimum monthly indemnity with meal vouchers"), max_digits=7, decimal_places=2
    )
    min_indemnity_short_day = models.DecimalField(
        _("minimum monthly indemnity for short days"), max_digits=7, decimal_places=2
    )
    short_day_max_hours = models.DecimalField(_("hours a day of a short day, at most"), max_digits=4, decimal_places=2)
    full_indemnity_attendance = models.PositiveSmallIntegerField(
        _("attendance for the full indemnity (%)"), validators=[MaxValueValidator(100)]
    )
    reduced_indemnity_floor = models.DecimalField(_("floor of the pro-rata indemnity"), max_digits=7, decimal_places=2)
    small_host_max_employees = models.PositiveSmallIntegerField(_("small host: employees up to"))
    small_host_interns = models.PositiveSmallIntegerField(_("small host: interns at most"))
    medium_host_max_employees = models.PositiveSmallIntegerField(_("medium host: employees up to"))
    medium_host_interns = models.PositiveSmallIntegerField(_("medium host: interns at most"))
    large_host_percent = models.PositiveSmallIntegerField(_("large host: interns as % of employees"))

    objects = InternshipRulesQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("internship rules")
        verbose_name_plural = _("internship rules")

    def __str__(self) -> str:
        return f"{self.source} ({self.valid_from:%d/%m/%Y})"


# ---------------------------------------------------------------------------------------------- paths


class PathQuerySet(RestrictedQuerySet):
    """A path is reached by the organisation that runs it (its person-level roles; write roles to change)."""

    def open(self):
        return self.exclude(status__in=FINAL_STATUSES)

    def _restrict(self, user, action):
        orgs = _orgs(user, action)
        if not orgs:
            return self.none()
        return self.filter(organisation_id__in=orgs, person__merged_into__isnull=True)


class Path(TimeStampedModel):
    """A person's course, internship, job or volunteering, run by one organisation with a host."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="paths"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="paths"
    )
    host = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        related_name="hosted_paths",
        help_text=_("The company, cooperative, training body or association where the path takes place."),
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paths",
    )
    proposal = models.OneToOneField(
        "opportunities.Proposal",
        verbose_name=_("accepted proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="path",
        help_text=_("The accepted proposal the path starts from, when there is one."),
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("converted from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PathKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=PathStatus.choices, default=PathStatus.PLANNED)
    title = models.CharField(_("role or course"), max_length=200, blank=True)
    starts_on = models.DateField(_("start"))
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("60"))],
    )
    days_per_week = models.PositiveSmallIntegerField(
        _("days per week"), default=5, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    host_tutor = models.CharField(_("host's tutor"), max_length=120, blank=True)
    service_tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service's tutor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tutored_paths",
    )
    beneficiary_category = models.CharField(
        _("beneficiary category"),
        max_length=14,
        choices=BeneficiaryCategory.choices,
        default=BeneficiaryCategory.DISADVANTAGED,
        help_text=_("Sets an internship's maximum duration."),
    )
    monthly_indemnity = models.DecimalField(
        _("monthly indemnity (€, gross)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    meal_vouchers = models.BooleanField(_("meal vouchers or canteen"), default=False)
    interruption_reason = models.CharField(
        _("reason for interruption"), max_length=14, choices=InterruptionReason.choices, blank=True
    )
    job_end_reason = models.CharField(_("why the job ended"), max_length=14, choices=JobEndReason.choices, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = PathQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("job-inclusion path")
        verbose_name_plural = _("job-inclusion paths")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True) | Q(planned_end_on__gte=models.F("starts_on")),
                name="path_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="path_ended_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=PathStatus.INTERRUPTED) | ~Q(interruption_reason=""),
                name="path_interruption_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=sorted(FINAL_STATUSES), ended_on__isnull=False)
                | (~Q(status__in=sorted(FINAL_STATUSES)) & Q(ended_on__isnull=True)),
                name="path_final_has_end_date",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="path_org_status"),
            models.Index(fields=["person", "-starts_on"], name="path_person"),
            models.Index(fields=["host", "kind", "status"], name="path_host_interns"),
            # Flow indicators read the paths that ended in a period (CELAV, conversions, retention).
            models.Index(fields=["ended_on"], name="path_ended"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.host} ({self.starts_on:%d/%m/%Y})"

    @property
    def is_internship(self) -> bool:
        return self.kind in INTERNSHIP_KINDS

    @property
    def is_hiring(self) -> bool:
        return self.kind in HIRING_KINDS

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def hours_per_day(self) -> Decimal | None:
        if self.hours_per_week is None:
            return None
        return (Decimal(self.hours_per_week) / self.days_per_week).quantize(Decimal("0.01"))


class PathChangeQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        return self.filter(path__in=Path.objects.restrict(user, action))


class PathChange(models.Model):
    """One step of a path's history: a state change or an edit, when, by whom and why."""

    path = models.ForeignKey(Path, verbose_name=_("path"), on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(_("from"), max_length=12, choices=PathStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=PathStatus.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=14, blank=True)
    note = models.TextField(_("note"), blank=True)
    fields = models.JSONField(_("fields changed"), default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PathChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("change of a path")
        verbose_name_plural = _("changes of paths")

    def __str__(self) -> str:
        return f"{self.path_id}: {self.from_status or '-'} → {self.to_status} ({self.on:%d/%m/%Y})"


class MonthlyAttendanceQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        return self.filter(path__in=Path.objects.restrict(user, action))


class MonthlyAttendance(TimeStampedModel):
    """An internship's attendance in one month and the indemnity it gives (computed by rules.indemnity_due)."""

    path = models.ForeignKey(Path, verbose_name=_("path"), on_delete=models.CASCADE, related_name="attendance")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    planned_hours = models.DecimalField(_("planned hours"), max_digits=5, decimal_places=1)
    attended_hours = models.DecimalField(_("hours attended"), max_digits=5, decimal_places=1)
    indemnity_due = models.DecimalField(_("indemnity due (€)"), max_digits=7, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = MonthlyAttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["month"]
        verbose_name = _("monthly attendance")
        verbose_name_plural = _("monthly attendance")
        constraints = [
            models.UniqueConstraint(fields=["path", "month"], name="attendance_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="attendance_month_first_day"),
            models.CheckConstraint(condition=Q(planned_hours__gt=0), name="attendance_planned_positive"),
            models.CheckConstraint(
                condition=Q(attended_hours__gte=0) & Q(attended_hours__lte=models.F("planned_hours")),
                name="attendance_within_planned",
            ),
        ]

    @property
    def percent(self) -> int:
        return int(100 * self.attended_hours / self.planned_hours) if self.planned_hours else 0


class FollowUpQuerySet(RestrictedQuerySet):
    def due(self, on: datetime.date):
        """Checks not done yet whose date has come."""
        return self.filter(done_on__isnull=True, cancelled=False, due_on__lte=on)

    def _restrict(self, user, action):
        return self.filter(path__in=Path.objects.restrict(user, action))


class FollowUp(TimeStampedModel):
    """A job-maintenance check of a hiring, due 1, 3, 6 or 12 months after it started, with its outcome."""

    path = models.ForeignKey(Path, verbose_name=_("path"), on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("months after the hiring"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=FollowUpOutcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled = models.BooleanField(_("no longer needed"), default=False)
    reminded_on = models.DateField(_("reminder raised on"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up check")
        verbose_name_plural = _("follow-up checks")
        constraints = [
            models.UniqueConstraint(fields=["path", "months"], name="follow_up_one_per_month_mark"),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | ~Q(outcome=""), name="follow_up_done_has_outcome"
            ),
        ]
        indexes = [models.Index(fields=["done_on", "due_on"], name="follow_up_due")]

    def is_overdue(self, today: datetime.date) -> bool:
        return self.done_on is None and not self.cancelled and self.due_on < today


# ---------------------------------------------------------------------------------------------- events


def _treated_by(orgs):
    """Persons registered by, or holding a case with, one of `orgs` (an Exists on the event's person)."""
    from cases.models import Case

    return Q(person__registered_by_id__in=orgs) | Exists(
        Case.objects.filter(person_id=OuterRef("person_id"), organisation_id__in=orgs)
    )


class ProgrammeEventQuerySet(RestrictedQuerySet):
    """Drop-outs: the recording organisation's person-level roles. Hospitalisations: clinical roles of an
    organisation treating the person, whoever recorded it. Counts ignore this (selectors.outcome_counts).
    """

    def _restrict(self, user, action):
        from paths.choices import CLINICAL_EVENT_KINDS

        access = access_for(user)
        orgs = _orgs(user, action)
        clinical = access.clinical_org_ids
        plain = Q(organisation_id__in=orgs) & ~Q(kind__in=CLINICAL_EVENT_KINDS)
        if clinical:
            return self.filter(plain | (Q(kind__in=CLINICAL_EVENT_KINDS) & _treated_by(clinical))).filter(
                person__merged_into__isnull=True
            )
        return self.filter(plain, person__merged_into__isnull=True) if orgs else self.none()


class ProgrammeEvent(TimeStampedModel):
    """An event seed 000 counts: a hospitalisation for psychic decompensation (with discharge) or a drop-out."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="programme_events"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("recorded by organisation"), on_delete=models.PROTECT, related_name="+"
    )
    path = models.ForeignKey(
        Path, verbose_name=_("path"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    occurred_on = models.DateField(_("date (admission)"))
    ended_on = models.DateField(_("discharge"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ProgrammeEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("programme event")
        verbose_name_plural = _("programme events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("occurred_on")),
                name="event_discharge_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(kind=EventKind.HOSPITALISATION) | Q(ended_on__isnull=True),
                name="event_only_stays_have_discharge",
            ),
        ]
        indexes = [models.Index(fields=["kind", "occurred_on"], name="event_kind_date")]


# ---------------------------------------------------------------------------------------------- activities


class ActivityQuerySet(RestrictedQuerySet):
    """An activity is reached by its organisation; changed by its operator or a coordinator there."""

    def non_attributable(self):
        return self.filter(person__isnull=True)

    def _restrict(self, user, action):
        from accounts.choices import Role

        access = access_for(user)
        if action == CHANGE:
            coordinated = access.org_ids({Role.COORDINATOR})
            return self.filter(
                Q(operator=user, organisation_id__in=access.write_org_ids) | Q(organisation_id__in=coordinated)
            )
        orgs = access.person_org_ids
        return self.filter(organisation_id__in=orgs) if orgs else self.none()


class Activity(TimeStampedModel):
    """One operator activity (prestazione) for the regional flow: attributed to a person, or not attributable."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="+"
    )
    profession = models.CharField(_("operator's profession"), max_length=14, choices=Profession.choices)
    programme_code = models.CharField(_("programme code"), max_length=20, default="TR106")
    performed_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    kind = models.CharField(_("type"), max_length=16, choices=ActivityKind.choices)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        help_text=_("Empty: not attributable to a single patient."),
    )
    path = models.ForeignKey(
        Path, verbose_name=_("path"), null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_on", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(path__isnull=True) | Q(person__isnull=False), name="activity_path_needs_person"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "programme_code", "performed_on"], name="activity_period"),
            # The programme's 20% indicator over the whole network: a programme's activities of a period.
            models.Index(fields=["programme_code", "performed_on"], name="activity_programme_period"),
        ]

    @property
    def is_attributable(self) -> bool:
        return self.person_id is not None


# ---------------------------------------------------------------------------------------------- groups


class TrainingGroupQuerySet(RestrictedQuerySet):
    """The catalogue is the network's: every person-level role sees it. The two conducting organisations change it."""

    def _restrict(self, user, action):
        orgs = _orgs(user, action)
        if not orgs:
            return self.none()
        if action == CHANGE:
            return self.filter(Q(organisation_id__in=orgs) | Q(partner_organisation_id__in=orgs))
        return self.all()


class TrainingGroup(TimeStampedModel):
    """A training or information group of the year's catalogue, co-conducted by the programme team and a Polo Lavoro."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    topic = models.TextField(_("topic"))
    target = models.CharField(_("for whom"), max_length=300)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("programme team's organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    partner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("Polo Lavoro's organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    conductor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conductor (programme team)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    co_conductor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-conductor (Polo Lavoro)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    status = models.CharField(_("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.PLANNED)

    objects = TrainingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("training group")
        verbose_name_plural = _("training groups")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="group_has_capacity"),
            models.CheckConstraint(condition=~Q(conductor=models.F("co_conductor")), name="group_two_conductors"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class GroupSessionQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        return self.filter(group__in=TrainingGroup.objects.restrict(user, action))


class GroupSession(models.Model):
    """One meeting of a group, with its date and times."""

    group = models.ForeignKey(TrainingGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)

    objects = GroupSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.group_id} · {self.starts_at:%d/%m/%Y %H:%M}"


class EnrolmentQuerySet(RestrictedQuerySet):
    """An enrolment is reached by the referring organisation and the two conducting ones."""

    def _restrict(self, user, action):
        orgs = _orgs(user, action)
        if not orgs:
            return self.none()
        return self.filter(
            Q(referring_organisation_id__in=orgs)
            | Q(group__organisation_id__in=orgs)
            | Q(group__partner_organisation_id__in=orgs),
            person__merged_into__isnull=True,
        )


class Enrolment(TimeStampedModel):
    """A person enrolled in a group by their Polo Lavoro (or waiting for a place), with evaluation and notes."""

    group = models.ForeignKey(
        TrainingGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="group_enrolments"
    )
    referring_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("referring team"), on_delete=models.PROTECT, related_name="+"
    )
    referring_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("referring organisation"), on_delete=models.PROTECT, related_name="+"
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enrolled by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices)
    # Evaluation before and after (a simple 1–5 self-rating until the assessments engine provides an instrument).
    score_before = models.PositiveSmallIntegerField(
        _("evaluation before (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    score_after = models.PositiveSmallIntegerField(
        _("evaluation after (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    conductors_note = models.TextField(_("conductors' notes"), blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=~Q(status=EnrolmentStatus.WITHDRAWN),
                name="enrolment_one_live_per_person",
            )
        ]


class SessionAttendanceQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        return self.filter(enrolment__in=Enrolment.objects.restrict(user, action))


class SessionAttendance(models.Model):
    """Whether one participant attended one session."""

    session = models.ForeignKey(
        GroupSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="register"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="register"
    )
    present = models.BooleanField(_("present"))

    objects = SessionAttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendance")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session")]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.enrolment_id}: {self.present}"
