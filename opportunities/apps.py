from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = _("Employers and opportunities")
