"""A plan's content as plain data, and the differences between two contents.

The same comparison serves the version history (an approved version against the one before it) and the stale
save (the draft as the user read it against the draft now). Items are matched by their `key`, which a new version
keeps, so a goal renamed in version 3 shows as changed, not as one removed and one added.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from plans.choices import FundingSource, GoalArea

HEADER_FIELDS = ("title", "starts_on", "ends_on", "person_agreed", "agreed_on", "agreement_note")
GOAL_FIELDS = ("area", "title", "description")
ACTION_FIELDS = ("description", "organisation", "operator_name", "starts_on", "due_on")
RESOURCE_FIELDS = ("description", "funding_source", "cost")


def _plain(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(plan) -> dict:
    """The plan's content (header, goals with actions and resources, review dates) as JSON-ready data."""
    from plans.models import Goal

    goals = Goal.objects.filter(plan=plan).prefetch_related("actions__organisation", "resources").order_by("pk")
    return {
        "header": {name: _plain(getattr(plan, name)) for name in HEADER_FIELDS},
        "goals": {
            str(goal.key): {
                **{name: goal.__dict__[name] for name in GOAL_FIELDS},
                "actions": {
                    str(action.key): {
                        "description": action.description,
                        "organisation": action.organisation.name,
                        "operator_name": action.operator_name,
                        "starts_on": _plain(action.starts_on),
                        "due_on": _plain(action.due_on),
                    }
                    for action in goal.actions.all()
                },
                "resources": {
                    str(resource.key): {name: _plain(getattr(resource, name)) for name in RESOURCE_FIELDS}
                    for resource in goal.resources.all()
                },
            }
            for goal in goals
        },
        "reviews": {str(review.key): {"planned_on": _plain(review.planned_on)} for review in plan.reviews.all()},
    }


@dataclass(frozen=True)
class Change:
    """One difference: what (a readable path), the value before and after ("" when absent)."""

    kind: str  # "added", "removed", "changed"
    what: str
    before: str
    after: str


def _labels() -> dict[str, str]:
    return {
        "title": _("title"),
        "starts_on": _("starts on"),
        "ends_on": _("ends on"),
        "person_agreed": _("the person agrees"),
        "agreed_on": _("agreed on"),
        "agreement_note": _("notes on the agreement"),
        "area": _("area"),
        "description": _("description"),
        "organisation": _("responsible organisation"),
        "operator_name": _("responsible operator"),
        "due_on": _("due on"),
        "funding_source": _("funding source"),
        "cost": _("cost (€)"),
        "planned_on": _("review date"),
    }


def _show(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "area":
        return str(dict(GoalArea.choices).get(value, value))
    if name == "funding_source":
        return str(dict(FundingSource.choices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _summary(kind: str, item: dict) -> str:
    if kind == "goal":
        return f"{_show('area', item['area'])}: {item['title']}"
    if kind == "resource":
        return f"{item['description']} ({_show('funding_source', item['funding_source'])}, € {item['cost']})"
    if kind == "review":
        return item["planned_on"]
    return f"{item['description']} ({item['organisation']})"


def _compare(kind_label: str, kind: str, old: dict, new: dict, fields, prefix: str, out: list[Change]) -> None:
    labels = _labels()
    for key, item in new.items():
        if key not in old:
            out.append(Change("added", f"{prefix}{kind_label}", "", _summary(kind, item)))
    for key, item in old.items():
        if key not in new:
            out.append(Change("removed", f"{prefix}{kind_label}", _summary(kind, item), ""))
    for key, item in new.items():
        if key in old:
            for name in fields:
                if old[key].get(name) != item.get(name):
                    what = f"{prefix}{kind_label} «{_summary(kind, old[key])}»: {labels.get(name, name)}"
                    out.append(Change("changed", what, _show(name, old[key].get(name)), _show(name, item.get(name))))


def diff(old: dict, new: dict) -> list[Change]:
    """What changed from content `old` to content `new`, header first, then goal by goal."""
    labels = _labels()
    out: list[Change] = []
    old_header, new_header = old.get("header", {}), new.get("header", {})
    for name in new_header:
        if old_header.get(name) != new_header.get(name):
            out.append(
                Change(
                    "changed",
                    labels.get(name, name),
                    _show(name, old_header.get(name)),
                    _show(name, new_header.get(name)),
                )
            )
    old_goals, new_goals = old.get("goals", {}), new.get("goals", {})
    _compare(_("goal"), "goal", old_goals, new_goals, GOAL_FIELDS, "", out)
    for key, goal in new_goals.items():
        before = old_goals.get(key, {})
        prefix = f"{goal['title']} › "
        _compare(_("action"), "action", before.get("actions", {}), goal["actions"], ACTION_FIELDS, prefix, out)
        _compare(
            _("resource"), "resource", before.get("resources", {}), goal["resources"], RESOURCE_FIELDS, prefix, out
        )
    _compare(_("review"), "review", old.get("reviews", {}), new.get("reviews", {}), ("planned_on",), "", out)
    return out
