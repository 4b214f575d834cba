from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("export.csv", views.log_export, name="log_export"),
    path("persons/<int:pk>/", views.person_log, name="person_log"),
]
