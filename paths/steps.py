"""A path's checks and moves worked out in memory: the one statement of each rule, shared by paths.services (one
path at a time, reading what the rules need) and paths.batch (many paths, reading it once per batch).

Nothing here reads or writes the database: the callers pass the rule sets and the host's other internships.
"""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_for
from paths import rules as rules_mod
from paths.choices import (
    FINAL_STATUSES,
    INTERRUPTION_REASONS,
    JOB_END_REASONS,
    TRANSITIONS,
    InterruptionReason,
    JobEndReason,
    PathStatus,
)
from paths.models import InternshipRules, Path

# A job that ends early is an interruption of its path: the reason it ended, as the interruption's coded reason.
JOB_END_AS_INTERRUPTION = {
    JobEndReason.RESIGNATION: InterruptionReason.PERSON_CHOICE,
    JobEndReason.DISMISSAL: InterruptionReason.HOST_CHOICE,
    JobEndReason.PROBATION: InterruptionReason.HOST_CHOICE,
    JobEndReason.CONTRACT_END: InterruptionReason.OTHER,
}


def rules_on(rules: list[InternshipRules], day: datetime.date) -> InternshipRules | None:
    """The rule set in force on `day` among `rules` (newest first): the latest that started on or before it."""
    return next((r for r in rules if r.valid_from <= day), None)


def host_employees(host) -> int | None:
    profile = getattr(host, "employer_profile", None)
    return profile.employees if profile is not None else None


def check_path(
    path: Path, *, rules: list[InternshipRules], host_interns: Callable[[], int], historical: bool = False
) -> bool:
    """Raise what path_create and path_update refuse in a path besides the model's own validation; returns whether
    the Lombardy internship rules were checked.

    `rules` are the rule sets Ponte holds, newest first; `host_interns()` counts the host's other internships
    planned or running during this one (paths.selectors.host_interns_running). With `historical` (the import of a
    path of the past), an internship that started before the earliest rule set is taken without the rule checks:
    there is nothing to check it against. The pages never pass it.
    """
    if path.is_internship:
        in_force = rules_on(rules, path.starts_on)
        if in_force is None and historical:
            return False
        if in_force is None:
            raise ValidationError({"starts_on": _("No internship rules are in force on this date: ask a coordinator.")})
        problems = rules_mod.internship_problems(
            in_force,
            category=path.beneficiary_category,
            starts_on=path.starts_on,
            planned_end_on=path.planned_end_on,
            monthly_indemnity=path.monthly_indemnity,
            meal_vouchers=path.meal_vouchers,
            hours_per_day=path.hours_per_day,
            host_employees=host_employees(path.host),
            host_interns=host_interns(),
        )
        if problems:
            raise ValidationError(problems)
    elif path.monthly_indemnity is not None:
        raise ValidationError({"monthly_indemnity": _("Only internships have a monthly indemnity.")})
    if path.service_tutor_id and path.organisation_id not in access_for(path.service_tutor).write_org_ids:
        raise ValidationError({"service_tutor": _("The service's tutor must be an operator of the organisation.")})
    return path.is_internship


def apply_transition(
    path: Path,
    *,
    to_status: str,
    on: datetime.date | None,
    reason: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> tuple[str, str, datetime.date]:
    """Move `path` to `to_status` in memory, or raise why it cannot; an interruption needs its coded reason, a
    job's end may say why it ended. Returns (the previous status, the reason recorded, the date).

    The caller saves the path, schedules or closes its follow-up checks, and records the change and its event.
    `today` is the local date, read once by a caller that moves many paths.
    """
    today = today or timezone.localdate()
    if to_status == PathStatus.CONVERTED:
        raise ValidationError({"to_status": _("Use the conversion to a hiring, which opens the hiring path.")})
    if to_status not in TRANSITIONS[PathStatus(path.status)]:
        raise ValidationError(
            {
                "to_status": _("A path that is %(from)s cannot become %(to)s.")
                % {"from": path.get_status_display(), "to": PathStatus(to_status).label}
            }
        )
    on = on or today
    if on < path.starts_on:
        raise ValidationError({"on": _("The date cannot be before the path's start.")})
    if on > today and to_status in FINAL_STATUSES:
        raise ValidationError({"on": _("The date cannot be in the future.")})
    reason = reason or ""
    if to_status == PathStatus.INTERRUPTED and path.is_hiring and reason in JOB_END_AS_INTERRUPTION:
        path.job_end_reason = reason
        reason = JOB_END_AS_INTERRUPTION[reason]
    if to_status == PathStatus.INTERRUPTED:
        if reason not in INTERRUPTION_REASONS:
            raise ValidationError({"reason": _("Say why the path was interrupted.")})
        path.interruption_reason = reason
    if path.is_hiring and to_status in FINAL_STATUSES:
        job_reason = path.job_end_reason or (reason if reason in JOB_END_REASONS else "")
        if to_status == PathStatus.INTERRUPTED and reason == InterruptionReason.HEALTH:
            job_reason = JobEndReason.HEALTH
        if to_status == PathStatus.COMPLETED and not job_reason:
            job_reason = JobEndReason.CONTRACT_END
        path.job_end_reason = job_reason or JobEndReason.OTHER
    previous = path.status
    path.status = to_status
    if to_status in FINAL_STATUSES:
        path.ended_on = on
    if note:
        path.outcome_note = (path.outcome_note + "\n" + note).strip()
    path.version += 1
    return previous, reason, on
