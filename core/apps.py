from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Ponte core"

    def ready(self) -> None:
        from core import lookups  # noqa: F401 - registers field__any
