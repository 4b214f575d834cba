"""The reminder job: through the task backend (immediate in tests) and the command that enqueues it."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from paths import services
from paths.choices import PathKind, PathStatus
from paths.models import FollowUp
from paths.tasks import raise_follow_up_reminders


def test_the_daily_job_raises_each_due_reminder_once(cast, person_a, host):
    case = person_a.cases.get()
    start = timezone.localdate() - datetime.timedelta(days=100)  # the 1- and 3-month checks have come due
    path = services.path_create(
        actor=cast.operator_a, person=person_a, case=case, kind=PathKind.HIRING_OPEN_ENDED, host=host, starts_on=start
    )
    services.path_transition(actor=cast.operator_a, path=path, to_status=PathStatus.ACTIVE, on=start)
    result = raise_follow_up_reminders.enqueue()
    assert result.return_value == 2
    assert FollowUp.objects.filter(reminded_on=timezone.localdate()).count() == 2
    out = io.StringIO()
    call_command("follow_up_reminders", stdout=out)
    assert "SUCCESSFUL" in out.getvalue().upper()
    assert FollowUp.objects.filter(reminded_on__isnull=False).count() == 2
