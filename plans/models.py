"""Joint evaluations (UVM/EVM) and the individual plan (progetto individuale, Budget di Salute).

A plan is a series of versions of one person's project: each `Plan` row is one version. A draft is edited; an
approved version is never changed again (its goals, actions, resources and review dates), and a change makes a
new draft version copied from it. Goals, actions, resources and reviews carry a `key` that a copy keeps, so two
versions can be compared item by item. Review outcomes are recorded on the version in force, append-only.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet
from plans.choices import EvaluationStatus, FundingSource, GoalArea, Outcome, PlanStatus


def _visible_persons(user):
    from people.models import Person

    return Person.objects.restrict(user, "view").values("pk")


def _changeable_persons(user):
    from people.models import Person

    return Person.objects.restrict(user, "change").values("pk")


# ---------------------------------------------------------------------------------------------- evaluation


class EvaluationQuerySet(RestrictedQuerySet):
    """An evaluation is seen by users who see the person and belong to the convening organisation, to a
    participant's organisation or to an organisation treating the person. It is changed by the convening
    organisation's writing roles. Aggregate-only roles reach nothing.
    """

    def _restrict(self, user, action):
        from cases.models import Case

        access = access_for(user)
        if action == CHANGE:
            orgs = access.write_org_ids
            if not orgs:
                return self.none()
            return self.filter(organisation_id__in=orgs, person__in=_visible_persons(user))
        orgs = access.person_org_ids
        if not orgs:
            return self.none()
        treats = Exists(Case.objects.filter(person=OuterRef("person"), organisation_id__in=orgs))
        takes_part = Exists(Participant.objects.filter(evaluation=OuterRef("pk"), organisation_id__in=orgs))
        return self.filter(
            Q(organisation_id__in=orgs) | Q(person__registered_by_id__in=orgs) | treats | takes_part,
            person__in=_visible_persons(user),
        )


class Evaluation(TimeStampedModel):
    """A multidimensional evaluation session (UVM/EVM): professionals of several organisations assess a person
    together, agree a conclusion and each sign it; it is complete when all have signed.
    """

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="evaluations"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("convening organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    assessments = models.ManyToManyField(
        "assessments.Assessment", verbose_name=_("assessments used"), blank=True, related_name="evaluations"
    )
    conclusion = models.TextField(_("joint conclusion"), blank=True)
    # Proposed goals by area (GoalArea code -> text, one goal a line): what the plan proposal is prefilled from.
    proposals = models.JSONField(_("proposed goals by area"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("joint evaluation")
        verbose_name_plural = _("joint evaluations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=EvaluationStatus.COMPLETE) & Q(completed_at__isnull=False))
                | (Q(status=EvaluationStatus.OPEN) & Q(completed_at__isnull=True)),
                name="evaluation_complete_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"UVM {self.held_on} · {self.person_id}"

    @property
    def is_complete(self) -> bool:
        return self.status == EvaluationStatus.COMPLETE


class Participant(models.Model):
    """A professional taking part in an evaluation for their organisation, in a role; they sign it off."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("professional"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role in the evaluation"), max_length=120)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "user"], name="participant_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


# ---------------------------------------------------------------------------------------------- plan


class PlanQuerySet(RestrictedQuerySet):
    """A plan is seen by users who see the person and belong to the plan's organisation, to an organisation
    treating the person, or to an organisation responsible for one of its actions. It is changed by the writing
    roles of an organisation that may change the person's record (it registered them or holds an open case).
    """

    def _restrict(self, user, action):
        from cases.models import Case

        access = access_for(user)
        if action == CHANGE:
            if not access.write_org_ids:
                return self.none()
            return self.filter(person__in=_changeable_persons(user))
        orgs = access.person_org_ids
        if not orgs:
            return self.none()
        treats = Exists(Case.objects.filter(person=OuterRef("person"), organisation_id__in=orgs))
        responsible = Exists(PlanAction.objects.filter(goal__plan=OuterRef("pk"), organisation_id__in=orgs))
        return self.filter(
            Q(organisation_id__in=orgs) | Q(person__registered_by_id__in=orgs) | treats | responsible,
            person__in=_visible_persons(user),
        )


class Plan(TimeStampedModel):
    """One version of a person's individual plan: a draft being written, the approved version in force, or an
    earlier approved version replaced by a later one. At most one in force and one draft per person.
    """

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="plans"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("responsible organisation"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(_("version number"))
    previous = models.ForeignKey(
        "self", verbose_name=_("previous version"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("proposed by evaluation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    person_agreed = models.BooleanField(_("the person agrees with the plan"), default=False)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    agreement_note = models.TextField(_("the person's words, notes on the agreement"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("edit version"), default=1)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-number"]
        verbose_name = _("individual plan")
        verbose_name_plural = _("individual plans")
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="plan_unique_number"),
            models.UniqueConstraint(
                fields=["person"], condition=Q(status=PlanStatus.ACTIVE), name="plan_one_active_per_person"
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(status=PlanStatus.DRAFT), name="plan_one_draft_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status=PlanStatus.DRAFT) | (Q(approved_at__isnull=False) & Q(person_agreed=True)),
                name="plan_approved_has_time_and_agreement",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="plan_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT


class Goal(models.Model):
    """A goal of the plan in one life area."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals")
    key = models.UUIDField(_("key"), default=uuid.uuid4, editable=False)
    area = models.CharField(_("area"), max_length=10, choices=GoalArea.choices)
    title = models.CharField(_("goal"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    term = models.ForeignKey(
        "plans.Term",
        verbose_name=_("focus area (shared vocabulary)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
    )

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="goal_unique_key")]

    def __str__(self) -> str:
        return self.title


class PlanAction(models.Model):
    """An action towards a goal: who is responsible (organisation and operator) and by when."""

    goal = models.ForeignKey(Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="actions")
    key = models.UUIDField(_("key"), default=uuid.uuid4, editable=False)
    description = models.CharField(_("action"), max_length=300)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("responsible organisation"), on_delete=models.PROTECT, related_name="+"
    )
    operator_name = models.CharField(
        _("responsible operator"),
        max_length=120,
        blank=True,
        help_text=_("Name and role; many operators of the network (cooperatives, volunteers) have no Ponte account."),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)

    class Meta:
        ordering = ["goal", "due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["goal", "key"], name="planaction_unique_key"),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(starts_on__isnull=True) | Q(due_on__gte=models.F("starts_on")),
                name="planaction_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Resource(models.Model):
    """A resource for a goal: what it is, its cost and who funds it."""

    goal = models.ForeignKey(Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="resources")
    key = models.UUIDField(_("key"), default=uuid.uuid4, editable=False)
    description = models.CharField(_("resource"), max_length=300)
    funding_source = models.CharField(_("funding source"), max_length=10, choices=FundingSource.choices)
    cost = models.DecimalField(
        _("cost (€)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["goal", "pk"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.UniqueConstraint(fields=["goal", "key"], name="resource_unique_key"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="resource_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description


class Review(models.Model):
    """A review date of the plan; when held, the outcome of each goal is recorded (GoalOutcome)."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reviews")
    key = models.UUIDField(_("key"), default=uuid.uuid4, editable=False)
    planned_on = models.DateField(_("review date"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    note = models.TextField(_("notes of the review"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["plan", "planned_on", "pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="review_unique_key")]

    def __str__(self) -> str:
        return str(self.planned_on)


class GoalOutcome(models.Model):
    """The outcome of one goal at one review."""

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="outcomes")
    goal = models.ForeignKey(Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["review", "goal"]
        verbose_name = _("goal outcome")
        verbose_name_plural = _("goal outcomes")
        constraints = [models.UniqueConstraint(fields=["review", "goal"], name="goaloutcome_unique")]

    def __str__(self) -> str:
        return f"{self.goal} · {self.get_outcome_display()}"


class PlanRevision(models.Model):
    """The plan's content as saved at each edit version: what a stale save and the version history compare."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField(_("edit version"))
    snapshot = models.JSONField(_("content"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saved by"), on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "version"]
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="planrevision_unique_version")]

    def __str__(self) -> str:
        return f"{self.plan_id} r{self.version}"


# ---------------------------------------------------------------------------------------------- vocabulary


class Term(models.Model):
    """A term of the shared vocabulary of the evaluation's focus areas (seed 004's "Dizionario identikit"):
    a definition and its synonyms in social and in health language. Not person data: everyone signed in reads it.
    """

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    area = models.CharField(_("area"), max_length=10, choices=GoalArea.choices, blank=True)
    name_it = models.CharField(_("term (Italian)"), max_length=120)
    name_en = models.CharField(_("term (English)"), max_length=120)
    definition_it = models.TextField(_("definition (Italian)"))
    definition_en = models.TextField(_("definition (English)"))
    social_synonyms = models.JSONField(_("synonyms in social language"), default=list, blank=True)
    health_synonyms = models.JSONField(_("synonyms in health language"), default=list, blank=True)

    class Meta:
        ordering = ["name_it"]
        verbose_name = _("vocabulary term")
        verbose_name_plural = _("vocabulary terms")

    def __str__(self) -> str:
        return self.name_it
