"""URLs of the plans pages: a person's plans and evaluations, a plan version and its editing, evaluations, and
the shared vocabulary of focus areas."""

from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("vocabulary/", views.vocabulary, name="vocabulary"),
    path("vocabulary/<slug:slug>/", views.vocabulary_term, name="vocabulary_term"),
    path("person/<int:person_pk>/", views.person_plans, name="person"),
    path("person/<int:person_pk>/evaluations/new/", views.evaluation_start, name="evaluation_start"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/changes/", views.plan_changes, name="changes"),
    path("<int:pk>/pdf/", views.plan_pdf, name="pdf"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/approve/", views.plan_approve, name="approve"),
    path("<int:pk>/goals/new/", views.goal_edit, name="goal_new"),
    path("<int:pk>/goals/<int:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/goals/<int:goal_pk>/delete/", views.goal_delete, name="goal_delete"),
    path("<int:pk>/goals/<int:goal_pk>/actions/new/", views.action_edit, name="action_new"),
    path("<int:pk>/goals/<int:goal_pk>/actions/<int:action_pk>/edit/", views.action_edit, name="action_edit"),
    path("<int:pk>/goals/<int:goal_pk>/actions/<int:action_pk>/delete/", views.action_delete, name="action_delete"),
    path("<int:pk>/goals/<int:goal_pk>/resources/new/", views.resource_edit, name="resource_new"),
    path("<int:pk>/goals/<int:goal_pk>/resources/<int:resource_pk>/edit/", views.resource_edit, name="resource_edit"),
    path(
        "<int:pk>/goals/<int:goal_pk>/resources/<int:resource_pk>/delete/",
        views.resource_delete,
        name="resource_delete",
    ),
    path("<int:pk>/reviews/new/", views.review_date_add, name="review_new"),
    path("<int:pk>/reviews/<int:review_pk>/delete/", views.review_date_delete, name="review_delete"),
    path("<int:pk>/reviews/<int:review_pk>/record/", views.review_record, name="review_record"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/edit/", views.evaluation_edit, name="evaluation_edit"),
    path("evaluations/<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path(
        "evaluations/<int:pk>/participants/<int:participant_pk>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path("evaluations/<int:pk>/sign/", views.evaluation_sign, name="evaluation_sign"),
    path("evaluations/<int:pk>/propose/", views.evaluation_propose, name="evaluation_propose"),
]
