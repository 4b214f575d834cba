"""Fetching one restricted row: a missing row and a forbidden one give the same 404, but only one is audited."""

from django.http import Http404

from audit.choices import Action, Outcome
from audit.services import audit_log


def get_restricted_or_404(model, user, action: str, *, queryset=None, **lookup):
    """The row matching `lookup` among those `user` may reach for `action`, or Http404.

    When the row exists but is out of reach, an `access.denied` event records the attempt.
    The response is identical either way, so nobody learns that a hidden row exists.
    """
    base = queryset if queryset is not None else model.objects.all()
    try:
        return base.restrict(user, action).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        if not isinstance(exc, model.DoesNotExist):
            raise Http404 from exc
        hidden = model._default_manager.filter(**lookup).first()
        if hidden is not None:
            audit_denied(user, hidden, action)
        raise Http404 from exc


def audit_denied(user, hidden, action: str) -> None:
    """Record that `user` asked for `hidden`, a row out of their reach for `action` (the answer is a 404)."""
    person = hidden if type(hidden).__name__ == "Person" else getattr(hidden, "person", None)
    audit_log(
        actor=user,
        action=Action.ACCESS_DENIED,
        obj=hidden,
        person=person,
        outcome=Outcome.DENIED,
        detail={"requested": action},
    )
