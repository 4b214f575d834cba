"""The one way to reach tenant-owned rows: `Model.objects.restrict(user, action)`."""

from django.db import models

VIEW = "view"
CHANGE = "change"
ACTIONS = (VIEW, CHANGE)


class RestrictedQuerySet(models.QuerySet):
    """A queryset whose `restrict()` keeps only the rows `user` may reach for `action`.

    Each domain queryset implements `_restrict`; the base checks the action and refuses
    anonymous users, so that a forgotten case fails closed (no rows), never open.
    """

    def restrict(self, user, action: str = VIEW):
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self._restrict(user, action)

    def _restrict(self, user, action: str):
        raise NotImplementedError(f"{type(self).__name__} must implement _restrict()")
