"""URLs of the demo app, included by the project only when settings.PONTE_BENCH is on."""

from django.urls import path

from demo import views

app_name = "demo"
urlpatterns = [path("limit/<int:pk>/", views.limit_view, name="limit")]
