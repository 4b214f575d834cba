"""URLs of the opportunities pages: employers, scouting, the catalogue, work profiles, matches and proposals."""

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
    path("catalogue/new/", views.opportunity_create, name="opportunity_create"),
    path("catalogue/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("catalogue/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("catalogue/<int:pk>/close/", views.opportunity_close, name="opportunity_close"),
    path("catalogue/<int:pk>/candidates/", views.opportunity_candidates, name="opportunity_candidates"),
    path("candidates/<int:person_pk>/", views.work_profile, name="work_profile"),
    path("candidates/<int:person_pk>/edit/", views.work_profile_edit, name="work_profile_edit"),
    path("candidates/<int:person_pk>/matches/", views.person_matches, name="person_matches"),
    path("candidates/<int:person_pk>/propose/", views.proposal_create, name="proposal_create"),
    path("proposals/", views.proposal_board, name="proposal_board"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/decide/<str:side>/", views.proposal_decide, name="proposal_decide"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("equity/", views.equity, name="equity"),
]
