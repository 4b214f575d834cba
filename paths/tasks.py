"""Background work of the paths app: the daily follow-up reminders."""

from django_tasks import task

from paths import services


@task()
def raise_follow_up_reminders() -> int:
    """Raise the reminders of the job-maintenance checks that have come due; returns how many."""
    return services.follow_up_reminders()
