"""URLs of the governance pages."""

from django.urls import path

from governance import views

app_name = "governance"
urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/decisions/new/", views.decision_add, name="decision_add"),
    path("decisions/<int:pk>/done/", views.decision_done, name="decision_done"),
]
