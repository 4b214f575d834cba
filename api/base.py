"""The base of every API viewset over tenant-owned rows: `restrict()` is applied here, so no viewset forgets it."""

from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from accounts.access import access_for
from api.openapi import PonteAutoSchema
from api.parsers import PonteJSONParser
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from core.querysets import CHANGE, VIEW


class WritesNeedWriteRole(permissions.BasePermission):
    """Reads are for any signed-in user (restrict() decides what they see); writes need a role that writes.

    Checked before any row is fetched, so the 403 says nothing about whether a row exists.
    """

    message = "Your role may not change records."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(access_for(request.user).write_org_ids)


class RestrictedViewSet(viewsets.GenericViewSet):
    """Reads see `restrict(user, "view")`, writes `restrict(user, "change")`.

    A row out of reach is a 404 identical to a missing one, and the attempt is audited as access.denied
    (audit.shortcuts.get_restricted_or_404). Subclasses set `model` and may narrow `base_queryset()`.
    """

    model = None
    schema = PonteAutoSchema()
    parser_classes = [PonteJSONParser]
    permission_classes = [permissions.IsAuthenticated, WritesNeedWriteRole]
    # Any text reaches get_object(), which answers 404 for what is not an id (a JSON 404, not Django's page).
    lookup_value_converter = "str"

    def restrict_action(self) -> str:
        return VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE

    def base_queryset(self):
        """The unrestricted queryset with its joins; never returned as is."""
        return self.model.objects.all()

    def get_queryset(self):
        return self.base_queryset().restrict(self.request.user, self.restrict_action())

    def get_object(self):
        pk = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        obj = get_restricted_or_404(
            self.model, self.request.user, self.restrict_action(), queryset=self.base_queryset(), pk=pk
        )
        self.check_object_permissions(self.request, obj)
        return obj


def audit_person_list(request, response, *, action, key: str) -> None:
    """Audit a list filtered by one person (`?person=`) as a read of that person's rows, naming the ids shown
    under `key`; an empty or failed answer reads nothing."""
    person = request.query_params.get("person", "")
    rows = response.data.get("results", []) if response.status_code == 200 else []
    if person.isdigit() and rows:
        audit_log(
            actor=request.user,
            action=action,
            person=int(person),
            detail={"list": True, key: [row["id"] for row in rows]},
        )


class UnknownPathView(APIView):
    """Unknown paths under /api/v1/ answer a JSON 404 rather than the HTML page."""

    schema = None
    permission_classes = [permissions.AllowAny]

    def dispatch_404(self, request, *args, **kwargs):
        raise NotFound

    get = post = put = patch = delete = dispatch_404
