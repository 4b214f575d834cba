"""URLs of the programmes pages."""

from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("indicators/", views.dashboard, name="dashboard"),
    path("indicators/export.<str:fmt>", views.dashboard_export, name="export"),
    path("indicators/<str:key>/records/", views.indicator_records, name="records"),
    path("<slug:code>/", views.programme_detail, name="detail"),
    path("<slug:code>/indicators/<int:pk>/values/new/", views.manual_value_add, name="manual_value_add"),
]
