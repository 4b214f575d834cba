"""The paths section of the home page: the user's overdue job-maintenance checks (registered in apps.py, ADR 0015)."""

from django.utils import timezone

from accounts.access import access_for
from paths import selectors

HOME_OVERDUE_SHOWN = 5


def overdue_follow_ups_section(request) -> dict | None:
    """The checks overdue of the paths the user tutors or whose case they manage: the count and the oldest few.

    Two queries whatever the number of checks; nothing for roles without person-level access or with none overdue.
    """
    user = request.user
    if not user.is_authenticated or not access_for(user).sees_persons:
        return None
    today = timezone.localdate()
    overdue = selectors.follow_up_agenda(user, today=today).filter(due_on__lt=today)
    count = overdue.count()
    if not count:
        return None
    return {"overdue_follow_ups": count, "oldest_overdue": list(overdue[:HOME_OVERDUE_SHOWN]), "today": today}
