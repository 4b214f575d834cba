"""URLs of the assessments pages."""

from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("instruments/<slug:code>/v<int:number>/fhir/", views.questionnaire_fhir, name="questionnaire_fhir"),
    path("person/<int:person_pk>/", views.person_assessments, name="person"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/fill/", views.assessment_fill, name="fill"),
    path("<int:pk>/fhir/", views.assessment_fhir, name="fhir"),
    path("<int:pk>/compare/<int:other_pk>/", views.assessment_compare, name="compare"),
]
