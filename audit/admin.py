"""The audit log in the admin: read-only, for looking events up. Rows are never added, changed or deleted here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent

# The foreign keys are shown as ids: their string forms would put a person's name in front of the sysadmin.
EVENT_FIELDS = (
    "at",
    "actor_username",
    "actor_ref",
    "organisation_name",
    "organisation_ref",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "person_ref",
    "channel",
    "ip",
    "request_id",
    "detail",
)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Audit events, read-only; the database refuses changes too (see audit/migrations/0002)."""

    list_display = ("at", "actor_username", "organisation_name", "action", "outcome", "object_type", "object_id")
    list_filter = ("action", "outcome", "channel")
    search_fields = ("actor_username", "=object_id")
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS
    ordering = ("-at", "-id")
    list_per_page = 50
    # Counting a table of millions of rows on every page is slow; the filtered count is enough.
    show_full_result_count = False
    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("user id"))
    def actor_ref(self, event: AuditEvent):
        return event.actor_id

    @admin.display(description=_("organisation id"))
    def organisation_ref(self, event: AuditEvent):
        return event.organisation_id

    @admin.display(description=_("person id"))
    def person_ref(self, event: AuditEvent):
        return event.person_id
