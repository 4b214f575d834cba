"""Network agreements and protocols, governance meetings and their decisions.

No person data here: a UVM meeting is recorded as a meeting of the network (who met, agenda, minutes, decisions);
the assessment of the person it concerned lives in assessments/ and plans/, never linked from here.

Who reaches what (docs/governance.md): the organisations that are parties of an agreement, or that organise or
take part in a meeting, see it; their coordinators change it; the aggregate-only analyst reads everything;
every other organisation gets a 404.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from accounts.choices import Role
from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet
from governance.choices import AgreementStatus, MeetingKind

# Roles that read the governance records of the organisations they belong to.
MEMBER_ROLES = frozenset({Role.COORDINATOR, Role.OPERATOR, Role.CLINICIAN, Role.PEER_EXPERT, Role.COMPANY_REFERENT})
# Roles that change them: coordinators govern.
GOVERN_ROLES = frozenset({Role.COORDINATOR})
# Roles that read every organisation's governance records, never change them.
READ_ALL_ROLES = frozenset({Role.ANALYST})


def reachable_org_ids(user, action: str) -> frozenset[int] | None:
    """The organisations whose governance records `user` reaches for `action`; None means all of them."""
    access = access_for(user)
    if action == CHANGE:
        return access.org_ids(GOVERN_ROLES)
    if access.roles & READ_ALL_ROLES:
        return None
    return access.org_ids(MEMBER_ROLES)


class AgreementQuerySet(RestrictedQuerySet):
    """An agreement is reached by its parties (and the organisation that recorded it)."""

    def _restrict(self, user, action):
        orgs = reachable_org_ids(user, action)
        if orgs is None:
            return self.all()
        if not orgs:
            return self.none()
        parties = Agreement.parties.through.objects.filter(organisation_id__in=orgs).values("agreement_id")
        return self.filter(Q(organisation_id__in=orgs) | Q(pk__in=parties))


class Agreement(TimeStampedModel):
    """A network agreement or protocol (protocollo d'intesa, protocollo operativo, accordo) and where it stands."""

    title = models.CharField(_("title"), max_length=300)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("recorded by organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The party whose coordinator recorded the agreement in Ponte."),
    )
    parties = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("parties"), related_name="governance_agreements"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.ABSENT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    renewal_on = models.DateField(_("renewal date"), null=True, blank=True)
    next_priorities = models.TextField(_("next priorities"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True)
                | Q(renewal_on__isnull=True)
                | Q(renewal_on__gt=models.F("signed_on")),
                name="agreement_renewal_after_signature",
            )
        ]

    def __str__(self) -> str:
        return self.title


class MeetingQuerySet(RestrictedQuerySet):
    """A meeting is reached by its organiser, the participating organisations and the participants."""

    def upcoming(self, today):
        return self.filter(held_on__gte=today, cancelled=False).order_by("held_on", "pk")

    def past(self, today):
        return self.filter(held_on__lt=today).order_by("-held_on", "-pk")

    def _restrict(self, user, action):
        orgs = reachable_org_ids(user, action)
        if orgs is None:
            return self.all()
        through = Meeting.organisations.through.objects.filter(organisation_id__in=orgs).values("meeting_id")
        rule = Q(organisation_id__in=orgs) | Q(pk__in=through)
        if action != CHANGE and access_for(user).org_ids(MEMBER_ROLES):
            rule |= Q(pk__in=Meeting.participants.through.objects.filter(user_id=user.pk).values("meeting_id"))
        return self.filter(rule)


class Meeting(TimeStampedModel):
    """A governance meeting: Cabina di Pilotaggio, working table, monthly Poli Lavoro meeting, UVM session."""

    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=300, blank=True)
    held_on = models.DateField(_("date"))
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("participating organisations"),
        blank=True,
        related_name="governance_meetings",
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), blank=True, related_name="governance_meetings"
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes of the meeting"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title or self.get_kind_display()} ({self.held_on:%d/%m/%Y})"


class DecisionQuerySet(RestrictedQuerySet):
    """A decision is reached through its meeting."""

    def open_past_due(self, today):
        return self.filter(done=False, due_on__lt=today).order_by("due_on", "pk")

    def _restrict(self, user, action):
        return self.filter(meeting__in=Meeting.objects.restrict(user, action))


class Decision(TimeStampedModel):
    """A decision taken at a meeting: what, who owns it (an organisation or a user), by when, and whether done."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("owner organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def owner(self):
        return self.owner_user or self.owner_organisation
