"""Exceptions services raise and views/API translate (409 for a stale save)."""


class StaleObjectError(Exception):
    """A save was based on an old version of the row: someone else changed it meanwhile.

    `current` is the row as it is now; `changed` names the fields that differ from what the
    user's stale copy had, so the page can show what changed and keep the user's input.
    """

    def __init__(self, current, changed: dict[str, tuple[object, object]] | None = None):
        self.current = current
        self.changed = changed or {}
        super().__init__(f"{current._meta.label} {current.pk} was changed by someone else")
