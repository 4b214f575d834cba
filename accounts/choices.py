"""Coded values of the accounts app. Codes are stable; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryKind(models.TextChoices):
    ATS = "ats", _("ATS (health protection agency)")
    ASST = "asst", _("ASST (local health authority)")
    AMBITO = "ambito", _("Ambito distrettuale")
    COMUNE = "comune", _("Municipality")
    MUNICIPIO = "municipio", _("Milan municipio")


class OrganisationKind(models.TextChoices):
    ATS = "ats", _("ATS")
    ASST = "asst", _("ASST mental-health department")
    HOSPITAL_FOUNDATION = "foundation", _("Hospital foundation")
    MUNICIPALITY = "municipality", _("Municipal service")
    AMBITO = "ambito", _("Ambito distrettuale")
    THIRD_SECTOR = "ets", _("Third-sector entity")
    SOCIAL_COOP = "social_coop", _("Social cooperative")
    COMPANY = "company", _("Company")
    TRAINING_BODY = "training_body", _("Training body")
    JOB_AGENCY = "job_agency", _("Accredited job agency")
    JUSTICE = "justice", _("Justice service")
    PUBLIC_BODY = "public_body", _("Other public body")


# Organisations that never take a person in charge: the ATS sees counts only, companies see candidates elsewhere.
NON_CARE_KINDS = (OrganisationKind.ATS, OrganisationKind.COMPANY)


class UnitKind(models.TextChoices):
    CPS = "cps", _("CPS (community mental-health centre)")
    POLO_LAVORO = "polo_lavoro", _("Polo Lavoro (job-inclusion team)")
    PROGRAMME_TEAM = "programme_team", _("Programme team")
    SPDC = "spdc", _("Psychiatric ward (SPDC)")
    CELAV = "celav", _("CELAV (job mediation centre)")
    SOCIAL_SERVICE = "social_service", _("Social service")
    HOUSING = "housing", _("Housing service")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    """A user's role in a unit. docs/access.md maps each to what it may do."""

    COORDINATOR = "coordinator", _("Coordinator")
    OPERATOR = "operator", _("Case manager / operator")
    CLINICIAN = "clinician", _("Clinician")
    ANALYST = "analyst", _("Aggregate-only analyst")
    COMPANY_REFERENT = "company_referent", _("Company referent")
    PEER_EXPERT = "peer_expert", _("Peer support expert")
    SYSADMIN = "sysadmin", _("System administrator")
    DPO = "dpo", _("Data-protection officer")


# Roles that see person-level records of the organisations they belong to.
PERSON_ROLES = frozenset({Role.COORDINATOR, Role.OPERATOR, Role.CLINICIAN, Role.PEER_EXPERT})
# Roles that write person records, consents, cases and referrals.
PERSON_WRITE_ROLES = frozenset({Role.COORDINATOR, Role.OPERATOR, Role.CLINICIAN})
# Roles that see clinical content (diagnosis group) of the persons their organisation treats.
CLINICAL_ROLES = frozenset({Role.CLINICIAN})
# Roles that see the access log of a person's record.
AUDIT_VIEW_ROLES = frozenset({Role.COORDINATOR})
# Roles that see aggregate counts of the whole territory.
AGGREGATE_ROLES = frozenset({Role.ANALYST, Role.COORDINATOR})
