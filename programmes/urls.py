"""URLs of the programmes pages."""

from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("indicators/", views.dashboard, name="dashboard"),
    path("indicators/export.<str:fmt>", views.dashboard_export, name="export"),
    path("indicators/<str:key>/records/", views.indicator_records, name="records"),
    path("territories/", views.territory_comparison, name="territories"),
    path("territories/export.<str:fmt>", views.territory_export, name="territory_export"),
    path("reports/<int:pk>/", views.report_status, name="report_status"),
    path("reports/<int:pk>/report.<str:fmt>", views.report_download, name="report_download"),
    path("<slug:code>/", views.programme_detail, name="detail"),
    path("<slug:code>/trends/", views.programme_trends, name="trends"),
    path("<slug:code>/report/", views.report_new, name="report"),
    path("<slug:code>/indicators/<int:pk>/values/new/", views.manual_value_add, name="manual_value_add"),
]
