"""Accounts in the admin: territories, organisations, units, users and their memberships.

Persons, consents, cases and referrals are deliberately not in the admin: the system administrator has no access
to person-level content, which is reached only through the pages and the API, scoped and audited.
"""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Territory, Unit, User
from audit.choices import Action
from audit.services import audit_log

# The fields of a user account that decide what it may reach; a change to any of them is audited.
ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


class UnitInline(admin.TabularInline):
    model = Unit
    fields = ("name", "kind", "territory", "is_active")
    autocomplete_fields = ("territory",)
    extra = 0
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "territory", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "tax_code")
    autocomplete_fields = ("territory",)
    list_select_related = ("territory",)
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "kind", "territory", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "organisation__name", "organisation__short_name")
    autocomplete_fields = ("organisation", "territory")

    def get_queryset(self, request):
        # A unit's name includes its organisation's: one join instead of a query per row (lists, autocomplete).
        return super().get_queryset(request).select_related("organisation", "territory")


class MembershipInline(admin.TabularInline):
    """A user's units and roles: what they may do comes from these."""

    model = Membership
    fields = ("unit", "role", "is_active")
    autocomplete_fields = ("unit",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit__organisation")


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    fieldsets = (*auth_admin.UserAdmin.fieldsets, (_("Work"), {"fields": ("profession",)}))
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
    inlines = [MembershipInline]

    # Who was given access to what is for the DPO to read (docs/audit.md): account and membership changes are
    # audited in the admin's own transaction, so a change and its event are saved together or not at all.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            audit_log(actor=request.user, action=Action.ACCOUNT_CREATE, obj=obj, detail={"username": obj.username})
            return
        changed = sorted(set(form.changed_data) & set(ACCESS_FIELDS))
        if changed:
            flags = ("is_active", "is_staff", "is_superuser")
            values = {name: form.cleaned_data[name] for name in changed if name in flags}
            audit_log(
                actor=request.user,
                action=Action.ACCOUNT_CHANGE,
                obj=obj,
                detail={"username": obj.username, "changed": changed, **values},
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        removed = [
            {**_membership_detail(f.instance), "id": f.instance.pk} for f in formset.deleted_forms if f.instance.pk
        ]
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects:
            audit_log(
                actor=request.user, action=Action.MEMBERSHIP_ADD, obj=membership, detail=_membership_detail(membership)
            )
        for membership, fields in formset.changed_objects:
            audit_log(
                actor=request.user,
                action=Action.MEMBERSHIP_CHANGE,
                obj=membership,
                detail={**_membership_detail(membership), "changed": sorted(fields)},
            )
        for detail in removed:
            audit_log(actor=request.user, action=Action.MEMBERSHIP_REMOVE, detail=detail)

    def delete_model(self, request, obj):
        detail = {"username": obj.username, "user_id": obj.pk}
        super().delete_model(request, obj)
        audit_log(actor=request.user, action=Action.ACCOUNT_DELETE, detail=detail)

    def delete_queryset(self, request, queryset):
        details = [{"username": user.username, "user_id": user.pk} for user in queryset]
        super().delete_queryset(request, queryset)
        for detail in details:
            audit_log(actor=request.user, action=Action.ACCOUNT_DELETE, detail=detail)


def _membership_detail(membership: Membership) -> dict:
    """What an audit event says of a membership: whose, which unit and organisation, which role, active or not."""
    return {
        "username": membership.user.username,
        "unit": str(membership.unit),
        "organisation_id": membership.unit.organisation_id,
        "role": membership.role,
        "is_active": membership.is_active,
    }
