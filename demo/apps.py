"""Django app configuration of the demo-data app."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic data for demonstrations and benchmarks; no models of its own."""

    name = "demo"
    verbose_name = "Demo data"
