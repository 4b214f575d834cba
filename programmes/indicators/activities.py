"""Seed 000's activity reporting: the programme is paid on the activities reported to Lombardy's psychiatric
activity flow, and at most 20% of them may be activities not attributable to a single patient (Quadro economico:
"Prestazioni non riconducibili al singolo paziente (max 20%)").
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from paths.models import Activity
from programmes.indicators import FLOW, Result, Scope, drilldown, indicator, rate

PROGRAMME_CODE = "TR106"  # the code of PIR TR106's activities in the activity log and the regional flow


def _activities(scope: Scope):
    return scope.orgs(
        Activity.objects.filter(
            programme_code=PROGRAMME_CODE, performed_on__gte=scope.start, performed_on__lte=scope.end
        )
    )


@indicator(
    "activities.non_attributable",
    title=_("Activities not attributable to a single patient"),
    unit="percent",
    period_rule=FLOW,
)
def non_attributable(scope: Scope) -> Result:
    """Denominator: the activities of programme code TR106 performed in the period by an organisation in scope.
    Numerator: those that name no person ("not attributable to a single patient"). The same share as the 20%
    report of the activity log (paths.selectors.ceiling_status), over the scope's organisations."""
    counts = _activities(scope).aggregate(total=Count("pk"), shared=Count("pk", filter=Q(person__isnull=True)))
    return Result(
        numerator=counts["shared"], denominator=counts["total"], value=rate(counts["shared"], counts["total"])
    )


@drilldown("activities.non_attributable", kind="activity")
def non_attributable_records(scope: Scope):
    return _activities(scope).filter(person__isnull=True)
