"""Ponte's URLs: one include per app."""

from django.contrib import admin
from django.urls import include, path

from cases.urls import home_urlpatterns
from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("persons/", include("people.urls")),
    path("audit/", include("audit.urls")),
    path("assessments/", include("assessments.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("imports/", include("imports.urls")),
    path("plans/", include("plans.urls")),
    path("paths/", include("paths.urls")),
    path("programmes/", include("programmes.urls")),
    path("governance/", include("governance.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("cases.urls")),
    *home_urlpatterns,
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
