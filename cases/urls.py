from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("referrals/received/", views.referral_inbox, name="referral_inbox"),
    path("referrals/sent/", views.referral_outbox, name="referral_outbox"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<int:pk>/reject/", views.referral_reject, name="referral_reject"),
    path("referrals/<int:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("persons/<int:person_pk>/refer/", views.referral_create, name="referral_create"),
    path("persons/<int:person_pk>/cases/new/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
]

# The home page is the site root, named without namespace.
home_urlpatterns = [path("", views.home, name="home")]
