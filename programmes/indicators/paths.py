"""Job-inclusion outcome indicators: they read the paths (paths/), which are being built.

Each is registered with its definition so that pages, exports and docs/indicators.md list it, marked as waiting
for paths; the compute function replaces the placeholder when paths/ lands.
"""

from django.utils.translation import gettext_lazy as _

from programmes.indicators import COHORT, FLOW, Result, Scope, indicator

PATHS = ("paths",)

_DEFINITIONS = (
    ("celav.concluded", _("CELAV: paths concluded as planned among paths closed"), "percent", FLOW,
     "Paths closed in the period that ended as planned, over all paths closed in the period (seed 003: >= 80%)."),
    ("celav.hired_at_end", _("CELAV: hired at path end among paths closed"), "percent", FLOW,
     "Paths closed in the period ending with a hiring, over all paths closed in the period (seed 003: >= 30%)."),
    ("jobs.employment_rate", _("Employment rate (IPS)"), "percent", COHORT,
     "Active candidates with a job on any day of the period, among the active candidates."),
    ("jobs.time_to_first_job", _("Median time to first job (days)"), "days", COHORT,
     "Median days from taking in charge to the first hiring, counting those not yet placed as censored."),
    ("jobs.retention_90", _("Jobs kept 90 days"), "percent", COHORT, "Hirings still in place after 90 days."),
    ("jobs.retention_180", _("Jobs kept 180 days"), "percent", COHORT, "Hirings still in place after 180 days."),
    ("jobs.retention_365", _("Jobs kept 365 days"), "percent", COHORT, "Hirings still in place after 365 days."),
    ("jobs.internship_conversion", _("Internships followed by a contract within 90 days"), "percent", FLOW,
     "Internships ended in the period followed by a contract with any employer within 90 days."),
    ("equity.employment", _("Equity gap: employment rate by ASST"), "percent", COHORT,
     "Each ASST's employment rate against the territory's, with a 95% confidence interval (Wilson)."),
    ("equity.hired_at_end", _("Equity gap: hiring at path end by ASST"), "percent", FLOW,
     "Each ASST's hiring at path end against the territory's, with a 95% confidence interval (Wilson)."),
    ("equity.hospitalised", _("Equity gap: hospitalisation by ASST"), "percent", COHORT,
     "Each ASST's hospitalisation rate against the territory's, with a 95% confidence interval (Wilson)."),
)  # fmt: skip

for _key, _title, _unit, _rule, _doc in _DEFINITIONS:

    def _waiting(scope: Scope) -> Result:
        return Result(waiting_for=PATHS)

    _waiting.__doc__ = _doc + " Waits for paths/."
    indicator(_key, title=_title, unit=_unit, period_rule=_rule, waiting_for=PATHS)(_waiting)
