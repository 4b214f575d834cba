"""URLs of the paths pages."""

from django.urls import path

from paths import views

app_name = "paths"
urlpatterns = [
    path("persons/<int:person_pk>/", views.person_paths, name="person"),
    path("persons/<int:person_pk>/new/", views.path_create, name="create"),
    path("persons/<int:person_pk>/events/new/", views.event_create, name="event_create"),
    path("<int:pk>/", views.path_detail, name="detail"),
    path("<int:pk>/status/", views.path_transition, name="transition"),
    path("<int:pk>/convert/", views.path_convert, name="convert"),
    path("<int:pk>/attendance/", views.path_attendance, name="attendance"),
    path("follow-ups/", views.agenda, name="agenda"),
    path("follow-ups/<int:pk>/", views.follow_up_record, name="follow_up"),
    path("activities/", views.activity_log, name="activities"),
    path("activities/report/", views.activity_report, name="activity_report"),
    path("activities/export/", views.activity_export, name="activity_export"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/brochure.pdf", views.group_brochure_pdf, name="group_brochure_pdf"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/status/", views.group_status, name="group_status"),
    path("groups/<int:pk>/sessions/", views.session_add, name="session_add"),
    path("groups/<int:pk>/enrol/", views.group_enrol, name="enrol"),
    path("groups/<int:pk>/calendar.ics", views.group_calendar, name="group_calendar"),
    path("groups/sessions/<int:pk>/register/", views.session_register, name="register"),
    path("groups/enrolments/<int:pk>/", views.enrolment_feedback, name="feedback"),
    path("groups/enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="withdraw"),
]
