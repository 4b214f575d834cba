"""`manage.py follow_up_reminders`: enqueue the daily reminder task (run it from cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from paths.tasks import raise_follow_up_reminders


class Command(BaseCommand):
    """Enqueue the task that raises the reminders of the follow-up checks that have come due."""

    help = "Enqueue the task raising reminders of the job-maintenance checks that have come due (daily)."

    def handle(self, *args, **options):
        """Enqueue, and say what the backend reports."""
        result = raise_follow_up_reminders.enqueue()
        self.stdout.write(f"Follow-up reminders task {result.id}: {result.status}")
