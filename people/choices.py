"""Coded values of the person registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    # As recorded in the fiscal code, which knows only these two.
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class DiagnosisGroup(models.TextChoices):
    """ICD-10 chapter V (F00–F99) blocks, WHO ICD-10 2019 edition."""

    F00_F09 = "F00-F09", _("F00–F09 Organic mental disorders")
    F10_F19 = "F10-F19", _("F10–F19 Disorders due to psychoactive substance use")
    F20_F29 = "F20-F29", _("F20–F29 Schizophrenia, schizotypal and delusional disorders")
    F30_F39 = "F30-F39", _("F30–F39 Mood (affective) disorders")
    F40_F48 = "F40-F48", _("F40–F48 Neurotic, stress-related and somatoform disorders")
    F50_F59 = "F50-F59", _("F50–F59 Behavioural syndromes with physiological disturbances")
    F60_F69 = "F60-F69", _("F60–F69 Disorders of adult personality and behaviour")
    F70_F79 = "F70-F79", _("F70–F79 Intellectual disability")
    F80_F89 = "F80-F89", _("F80–F89 Disorders of psychological development")
    F90_F98 = "F90-F98", _("F90–F98 Disorders with onset in childhood and adolescence")
    F99 = "F99", _("F99 Unspecified mental disorder")


class Education(models.TextChoices):
    """Highest level attained, in the Italian school system's terms (ISCED 2011 in brackets)."""

    NONE = "none", _("No qualification")
    PRIMARY = "primary", _("Primary school (ISCED 1)")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary, licenza media (ISCED 2)")
    VOCATIONAL = "vocational", _("Vocational qualification, IeFP (ISCED 3)")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary diploma (ISCED 3)")
    TERTIARY = "tertiary", _("University degree (ISCED 6–8)")


class Municipio(models.IntegerChoices):
    """The nine municipi of the Comune di Milano."""

    M1 = 1, _("Municipio 1")
    M2 = 2, _("Municipio 2")
    M3 = 3, _("Municipio 3")
    M4 = 4, _("Municipio 4")
    M5 = 5, _("Municipio 5")
    M6 = 6, _("Municipio 6")
    M7 = 7, _("Municipio 7")
    M8 = 8, _("Municipio 8")
    M9 = 9, _("Municipio 9")


class HouseholdRole(models.TextChoices):
    HEAD = "head", _("Head of household")
    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative or cohabitant")


class ConsentPurpose(models.TextChoices):
    CARE = "care", _("Care by this organisation")
    SHARING = "sharing", _("Sharing with a network organisation")
    COMPANY_CONTACT = "company_contact", _("Contact by companies")
    STATISTICS = "statistics", _("Statistics")


class ShareSection(models.TextChoices):
    """Parts of the record a sharing consent may open to the receiving organisation.

    Identity is always shared with a sharing consent; clinical content never is.
    """

    CONTACTS = "contacts", _("Contacts and residence")
    SOCIAL = "social", _("Household, education, work history, invalidity and Law 68")
    CASES = "cases", _("Cases at other organisations")


# Sections of the person page. "identity" is always visible to whoever sees the person.
SECTION_IDENTITY = "identity"
SECTION_CLINICAL = "clinical"
ALL_SHARE_SECTIONS = frozenset(ShareSection.values)
