"""URLs of the demo app, mounted only by bench/urls.py (the benchmark's settings), never by config/urls.py."""

from django.urls import path

from demo import views

app_name = "demo"
urlpatterns = [path("limit/<int:pk>/", views.limit_view, name="limit")]
