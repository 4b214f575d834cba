"""Who may do what with programmes and indicators. Templates get these as flags."""

from accounts.access import access_for
from accounts.choices import Role


def can_view_programmes(user) -> bool:
    """Programme documents are public plans: every user who sees persons or aggregate figures reads them."""
    access = access_for(user)
    return access.sees_persons or access.sees_aggregates


def can_view_dashboard(user) -> bool:
    """The indicator dashboard and its exports: the aggregate roles (analyst, coordinator)."""
    return access_for(user).sees_aggregates


def can_view_records(user) -> bool:
    """The records behind a figure: roles that see persons, each record through its own restrict().
    Aggregate-only users never: they get suppressed counts."""
    access = access_for(user)
    return access.sees_persons and not access.is_aggregate_only


def can_record_manual_value(user) -> bool:
    """Manual indicator values (meetings, protocols, trainings) are entered by coordinators."""
    return Role.COORDINATOR in access_for(user).roles
