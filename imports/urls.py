"""URLs of the imports pages."""

from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_home, name="home"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/commit/", views.run_commit, name="commit"),
    path("<int:pk>/report.csv", views.run_report, name="report"),
    path("template.<str:fmt>", views.template_download, name="template"),
    path("<str:entity>/template.<str:fmt>", views.template_download, name="entity_template"),
    path("export/persons.<str:fmt>", views.export_persons, name="export_persons"),
    path("export/<str:entity>.<str:fmt>", views.export_persons, name="export"),
    path("export/<int:pk>/", views.export_status, name="export_status"),
    path("export/<int:pk>/download/", views.export_download, name="export_download"),
    path("mappings/", views.mapping_list, name="mappings"),
    path("mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
]
