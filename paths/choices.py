"""Coded values of paths, follow-ups, events, activities and training groups. Codes are stable; labels translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PathKind(models.TextChoices):
    """The kinds of job-inclusion path of issue 5, part 1."""

    COURSE = "course", _("Orientation or training course")
    INTERNSHIP = "internship", _("Extra-curricular internship")
    INCLUSION_INTERNSHIP = "inclusion_internship", _("Inclusion internship")
    HIRING_FIXED_TERM = "hiring_fixed", _("Hiring, fixed-term")
    HIRING_OPEN_ENDED = "hiring_open", _("Hiring, open-ended")
    LAW68_HIRING = "law68_hiring", _("Law 68 hiring")
    COOP_B = "coop_b", _("Work in a type-B social cooperative")
    VOLUNTEERING = "volunteering", _("Volunteering")


INTERNSHIP_KINDS = frozenset({PathKind.INTERNSHIP, PathKind.INCLUSION_INTERNSHIP})
# Kinds that are a job: their start schedules the job-maintenance checks.
HIRING_KINDS = frozenset(
    {PathKind.HIRING_FIXED_TERM, PathKind.HIRING_OPEN_ENDED, PathKind.LAW68_HIRING, PathKind.COOP_B}
)
HIRING_KIND_CHOICES = [(kind.value, kind.label) for kind in PathKind if kind in HIRING_KINDS]


class PathStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", pgettext_lazy("path status", "Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed as planned")
    INTERRUPTED = "interrupted", _("Interrupted")
    CONVERTED = "converted", _("Converted to a hiring")


FINAL_STATUSES = frozenset({PathStatus.COMPLETED, PathStatus.INTERRUPTED, PathStatus.CONVERTED})
# The allowed moves; converting has its own service because it opens the hiring path.
TRANSITIONS = {
    PathStatus.PLANNED: frozenset({PathStatus.ACTIVE, PathStatus.INTERRUPTED}),
    PathStatus.ACTIVE: frozenset(
        {PathStatus.SUSPENDED, PathStatus.COMPLETED, PathStatus.INTERRUPTED, PathStatus.CONVERTED}
    ),
    PathStatus.SUSPENDED: frozenset({PathStatus.ACTIVE, PathStatus.INTERRUPTED}),
    PathStatus.COMPLETED: frozenset(),
    PathStatus.INTERRUPTED: frozenset(),
    PathStatus.CONVERTED: frozenset(),
}


class InterruptionReason(models.TextChoices):
    DROP_OUT = "drop_out", _("Drop-out")
    HEALTH = "health", _("Health")
    HOST_CHOICE = "host_choice", _("The host's choice")
    PERSON_CHOICE = "person_choice", _("The person's choice")
    OTHER = "other", _("Other")


class JobEndReason(models.TextChoices):
    """Why a job ended (part 3)."""

    CONTRACT_END = "contract_end", _("End of the fixed-term contract")
    RESIGNATION = "resignation", _("Resignation")
    DISMISSAL = "dismissal", _("Dismissal")
    PROBATION = "probation", _("Probation not passed")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


# The codes as sets, for the checks of every row of an import (a Choices class lists its values anew at each
# `.values`).
INTERRUPTION_REASONS = frozenset(InterruptionReason.values)
JOB_END_REASONS = frozenset(JobEndReason.values)


class BeneficiaryCategory(models.TextChoices):
    """The category that sets an internship's maximum duration in Lombardy."""

    STANDARD = "standard", _("General rule")
    DISADVANTAGED = "disadvantaged", _("Disadvantaged person")
    DISABLED = "disabled", _("Person with disabilities (Law 68)")


class FollowUpOutcome(models.TextChoices):
    STABLE = "stable", _("Working well")
    DIFFICULTIES = "difficulties", _("Difficulties, support agreed")
    AT_RISK = "at_risk", _("Job at risk")
    NOT_REACHED = "not_reached", _("Not reached")
    JOB_ENDED = "job_ended", _("The job has ended")


# Months after the hiring at which the job-maintenance checks fall (part 3).
FOLLOW_UP_MONTHS = (1, 3, 6, 12)


class EventKind(models.TextChoices):
    """The programme events seed 000 counts."""

    HOSPITALISATION = "hospitalisation", _("Hospitalisation for psychic decompensation")
    DROP_OUT = "drop_out", _("Drop-out from the programme")


# Events only clinical roles of a treating organisation see (they are still counted in the aggregates).
CLINICAL_EVENT_KINDS = frozenset({EventKind.HOSPITALISATION})


class ActivityKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    COACHING = "coaching", _("Coaching")
    COMPANY_VISIT = "company_visit", _("Company visit")
    GROUP_SESSION = "group_session", _("Group session")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    STAFF_TRAINING = "staff_training", _("Training of staff")


class Profession(models.TextChoices):
    """The operator's profession, a field of the regional activity flow."""

    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    NURSE = "nurse", _("Nurse")
    EDUCATOR = "educator", _("Professional educator")
    REHAB_TECHNICIAN = "terp", _("Psychiatric rehabilitation technician")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    JOB_COACH = "job_coach", _("Job coach")
    OTHER = "other", _("Other")


class GroupStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for enrolment")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITING = "waiting", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
