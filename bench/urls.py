"""The project's URLs plus the demo limit view under bench/: the URL configuration of bench/settings.py only."""

from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/", include("demo.urls")), *project_urlpatterns]
