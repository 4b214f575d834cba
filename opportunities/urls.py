"""URLs of the opportunities pages: employers, the contact log, scouting, reminders and figures."""

from django.urls import path

from opportunities import views

app_name = "opportunities"
urlpatterns = [
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/new/", views.employer_create, name="employer_create"),
    path("employers/mine/", views.my_employer, name="my_employer"),
    path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("employers/<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/done/", views.contact_done, name="contact_done"),
    path("scouting/", views.scouting_list, name="scouting"),
    path("next-steps/", views.next_steps, name="next_steps"),
    path("figures/", views.operator_figures, name="figures"),
    path("catalogue/", views.opportunity_list, name="opportunity_list"),
]
