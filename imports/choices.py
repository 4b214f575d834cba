"""Coded values of the imports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Entity(models.TextChoices):
    """The layouts Ponte reads and writes (docs/import.md). Persons first; the others come with their apps."""

    PERSONS = "persons", _("Persons with their consents")
    CASES = "cases", _("Cases (prese in carico)")
    REFERRALS = "referrals", _("Referrals")
    PATHS = "paths", _("Job-inclusion paths")
    EVENTS = "events", _("Events (hospitalisations, drop-outs)")
    EMPLOYERS = "employers", _("Employers")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    ASSESSMENTS = "assessments", _("Completed assessments")
    ACTIVITIES = "activities", _("Operators' activities")


class RunStatus(models.TextChoices):
    PREVIEWING = "previewing", _("Checking the file")
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    COMMITTING = "committing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    INTERRUPTED = "interrupted", _("Interrupted: import it again to finish")


class RowAction(models.TextChoices):
    CREATE = "create", _("New")
    UPDATE = "update", _("Changed")
    UNCHANGED = "unchanged", _("Unchanged")
    REVIEW = "review", _("To review")
    ERROR = "error", _("Error")


# Fields whose coded values a user may map from their old labels.
class MappedField(models.TextChoices):
    SEX = "sex", _("Sex")
    DIAGNOSIS_GROUP = "diagnosis_group", _("Diagnosis group (ICD-10)")
    EDUCATION = "education", _("Education")
