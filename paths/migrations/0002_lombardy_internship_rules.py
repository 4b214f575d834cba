"""The Lombardy internship rules in force since DGR X/7763 of 17 January 2018 (sources in docs/paths.md)."""

import datetime
from decimal import Decimal

from django.db import migrations

RULES_2018 = {
    # The DGR applied 30 days after the decrees with the standard agreement and training plan were published;
    # 1 March 2018 is taken as the start of the new rules (see docs/paths.md).
    "valid_from": datetime.date(2018, 3, 1),
    "source": "DGR Lombardia X/7763 del 17/01/2018",
    "max_months_standard": 6,
    "max_months_disadvantaged": 12,
    "max_months_disabled": 24,
    "min_indemnity": Decimal("500.00"),
    "min_indemnity_meal_vouchers": Decimal("400.00"),
    "min_indemnity_short_day": Decimal("350.00"),
    "short_day_max_hours": Decimal("4.00"),
    "full_indemnity_attendance": 80,
    "reduced_indemnity_floor": Decimal("300.00"),
    "small_host_max_employees": 5,
    "small_host_interns": 1,
    "medium_host_max_employees": 20,
    "medium_host_interns": 2,
    "large_host_percent": 10,
}


def add_rules(apps, schema_editor):
    InternshipRules = apps.get_model("paths", "InternshipRules")
    InternshipRules.objects.get_or_create(valid_from=RULES_2018["valid_from"], defaults=RULES_2018)


def remove_rules(apps, schema_editor):
    apps.get_model("paths", "InternshipRules").objects.filter(valid_from=RULES_2018["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("paths", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
