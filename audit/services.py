"""Writing audit events. Every service calls `audit_log` inside its own transaction."""

from typing import Any

from django.db import models

from accounts.access import access_for
from accounts.models import Organisation
from audit.choices import Action, Outcome
from audit.models import AuditEvent
from core import context
from core.bulk import insert_one, insert_values


def _who(actor, organisation: Organisation | None = None, username: str = "") -> dict[str, Any]:
    """The columns of an event that say who acted, where from and for which organisation."""
    ctx = context.current()
    actor_obj = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if organisation is not None:
        org_id, org_name = organisation.pk, organisation.name
    elif actor_obj is not None:
        access = access_for(actor_obj)
        org_id = access.primary_org_id
        org_name = access.org_name(org_id)
    else:
        org_id, org_name = None, ""
    return {
        "actor_id": actor_obj.pk if actor_obj else None,
        "actor_username": actor_obj.get_username() if actor_obj else username,
        "organisation_id": org_id,
        "organisation_name": org_name,
        "ip": ctx.ip if ctx else None,
        "channel": ctx.channel if ctx else "cli",
        "request_id": ctx.request_id if ctx else "",
    }


def _what(
    *, action: Action, obj: models.Model | None = None, person=None, outcome: Outcome = Outcome.OK, detail=None
) -> dict[str, Any]:
    """The columns of an event that say what was done to which record."""
    if person is None and obj is not None and obj.__class__.__name__ == "Person":
        person = obj
    return {
        "action": action,
        "outcome": outcome,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None and obj.pk is not None else "",
        "person_id": getattr(person, "pk", person),
        "detail": detail or {},
    }


def _event(*, actor, organisation: Organisation | None = None, detail=None, **what) -> AuditEvent:
    """One audit event, not yet saved; the client address and request id come from the request context."""
    who = _who(actor, organisation, (detail or {}).get("username", ""))
    return AuditEvent(**who, **_what(detail=detail, **what))


def audit_log(
    *,
    actor,
    action: Action,
    obj: models.Model | None = None,
    person=None,
    outcome: Outcome = Outcome.OK,
    organisation: Organisation | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; the client address and request id come from the request context.

    Every page writes one, so it goes in with core.bulk.insert_one's ready statement rather than through save().
    """
    event = _event(
        actor=actor, action=action, obj=obj, person=person, outcome=outcome, organisation=organisation, detail=detail
    )
    return insert_one(event)


def audit_log_many(*, actor, events: list[dict[str, Any]]) -> int:
    """Append several events at once, each as `audit_log(actor=actor, **event)` would write it: for the services
    that write many records at once (imports). The rows are the same as one by one; returns how many."""
    who: dict = {}  # by organisation given: the actor, the request and the organisation are the same for all
    rows = []
    for event in events:
        event = dict(event)
        organisation = event.pop("organisation", None)
        key = organisation.pk if organisation is not None else None
        if key not in who:
            who[key] = _who(actor, organisation)
        rows.append({**who[key], **_what(**event)})
    return insert_values(AuditEvent, rows)
