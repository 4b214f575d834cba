"""Accounts in the admin: territories, organisations, units, users and their memberships.

Persons, consents, cases and referrals are deliberately not in the admin: the system administrator has no access
to person-level content, which is reached only through the pages and the API, scoped and audited.
"""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Territory, Unit, User


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
