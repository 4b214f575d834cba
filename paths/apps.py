from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathsConfig(AppConfig):
    name = "paths"
    verbose_name = _("Job-inclusion paths")

    def ready(self):
        from core.home_sections import HomeSection, register_home_section
        from paths.home import overdue_follow_ups_section

        register_home_section(
            HomeSection(
                name="paths.overdue_follow_ups",
                template="paths/includes/overdue_follow_ups.html",
                context=overdue_follow_ups_section,
                order=10,
            )
        )
