"""Pages of joint evaluations and individual plans.

Plans and evaluations are reached only through `restrict()`; another organisation's object is a 404 identical to
a missing one (and the attempt is audited). Every read is a `plan.view` / `evaluation.view` event and every write
goes through plans.services, which audits it. A save based on a stale copy answers 409, keeps the user's input
and lists what changed meanwhile.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessments.models import Assessment
from audit.choices import Action
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from core.exceptions import StaleObjectError
from core.forms import add_service_errors
from core.htmx import render_page
from core.i18n import current_language
from people.models import Person
from plans import selectors, services, snapshots
from plans import vocabulary as vocabulary_search
from plans.choices import EvaluationStatus, GoalArea, PlanStatus
from plans.forms import (
    ActionForm,
    ConfirmForm,
    EvaluationForm,
    EvaluationStartForm,
    GoalForm,
    ParticipantForm,
    PlanForm,
    ResourceForm,
    ReviewDateForm,
    ReviewRecordForm,
)
from plans.models import Evaluation, Goal, Plan, PlanAction, Resource, Review, Term
from plans.permissions import (
    can_approve_plan,
    can_change_evaluation,
    can_edit_plan,
    can_propose_plan,
    can_review_plan,
    can_sign_evaluation,
    can_start_plan,
    can_view_plans_of,
)


def _person_or_404(user, pk: int) -> Person:
    person = get_restricted_or_404(Person, user, "view", pk=pk)
    if not can_view_plans_of(user, person):
        raise Http404
    return person


def _plan_or_404(user, pk: int, action: str = "view") -> Plan:
    return get_restricted_or_404(Plan, user, action, queryset=selectors.plan_queryset(), pk=pk)


def _audit_plan_view(user, plan: Plan, **detail) -> None:
    audit_log(actor=user, action=Action.PLAN_VIEW, obj=plan, person=plan.person, detail=detail or None)


# ---------------------------------------------------------------------------------------------- a person's plans


@login_required
@require_http_methods(["GET", "POST"])
def person_plans(request, person_pk: int):
    """The person's plan versions and joint evaluations; POST opens a draft (a new version if one is in force)."""
    person = _person_or_404(request.user, person_pk)
    if request.method == "POST":
        try:
            plan = services.plan_create(actor=request.user, person=person)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("plans:person", person_pk=person.pk)
        return redirect("plans:detail", pk=plan.pk)
    versions = selectors.versions_of(request.user, person)
    evaluations = selectors.evaluations_of(request.user, person)
    audit_log(
        actor=request.user,
        action=Action.PLAN_VIEW,
        obj=person,
        person=person,
        detail={"list": True, "plans": [p.pk for p in versions], "evaluations": [e.pk for e in evaluations]},
    )
    has_draft = any(p.status == PlanStatus.DRAFT for p in versions)
    context = {
        "person": person,
        "versions": versions,
        "active": next((p for p in versions if p.status == PlanStatus.ACTIVE), None),
        "draft": next((p for p in versions if p.status == PlanStatus.DRAFT), None),
        "evaluations": evaluations,
        "can_start": not has_draft and can_start_plan(request.user, person),
        "start_form": EvaluationStartForm(initial={"held_on": timezone.localdate()}),
    }
    return render_page(request, "plans/person_plans.html", context)


# ---------------------------------------------------------------------------------------------- one plan


def _plan_context(user, plan: Plan) -> dict:
    goals = selectors.with_content(plan)
    editable = can_edit_plan(user, plan)
    return {
        "plan": plan,
        "person": plan.person,
        "goals": goals,
        "budget": selectors.budget(goals),
        "reviews": selectors.reviews_of(plan),
        "can_edit": editable,
        "can_approve": editable and can_approve_plan(user, plan),
        "can_review": can_review_plan(user, plan),
        "problems": services.approval_problems(plan) if editable else [],
        "confirm_form": ConfirmForm(initial={"version": plan.version}),
    }


@login_required
@require_GET
def plan_detail(request, pk: int):
    """One version of the plan: goals, actions, budget table with totals, reviews and outcomes."""
    plan = _plan_or_404(request.user, pk)
    _audit_plan_view(request.user, plan)
    return render_page(request, "plans/plan_detail.html", _plan_context(request.user, plan))


@login_required
@require_GET
def plan_changes(request, pk: int):
    """What this version changed from the previous one (or the draft from the version in force)."""
    plan = _plan_or_404(request.user, pk)
    if plan.previous_id is None:
        raise Http404
    previous = _plan_or_404(request.user, plan.previous_id)
    changes = snapshots.diff(selectors.final_snapshot(previous), selectors.final_snapshot(plan))
    _audit_plan_view(request.user, plan, compared_with=previous.pk)
    context = {"plan": plan, "person": plan.person, "previous": previous, "changes": changes}
    return render_page(request, "plans/plan_changes.html", context)


@login_required
@require_GET
def plan_pdf(request, pk: int):
    """An approved version as a printable PDF (WeasyPrint, imported here so the rest of Ponte runs without it)."""
    plan = _plan_or_404(request.user, pk)
    if plan.is_draft:
        raise Http404
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        return HttpResponse(
            _(
                "PDF printing is not installed on this server (WeasyPrint and its Pango library). "
                "Ask the administrator."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    context = _plan_context(request.user, plan)
    context["printed_at"] = timezone.localtime()
    html = render_to_string("plans/plan_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    _audit_plan_view(request.user, plan, format="pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{plan.person_id}-v{plan.number}.pdf"'
    return response


# ---------------------------------------------------------------------------------------------- editing a draft


def _stale_response(request, template, context, form, stale: StaleObjectError):
    """409: the user's input kept, the form now based on the current version, what changed listed."""
    data = request.POST.copy()
    data["version"] = str(stale.current.version)
    form = form.__class__(data, **getattr(form, "_ponte_kwargs", {}))
    form.is_valid()
    form.add_error(
        None,
        _(
            "Someone else saved this plan while you were editing it: nothing of yours was saved. Your input is kept "
            "below and the changes they made are listed. Check them and save again."
        ),
    )
    context.update(form=form, stale_changes=getattr(stale, "changes", []))
    return render_page(request, template, context, status=409)


def _edit_page(request, plan: Plan, *, form_class, title: str, initial: dict, save, form_kwargs=None, danger=False):
    """A form page changing the draft: GET shows the form, POST calls `save(form.cleaned_data)`."""
    form_kwargs = form_kwargs or {}
    template = "plans/plan_form.html"
    context = {"plan": plan, "person": plan.person, "title": title, "danger": danger}
    if request.method != "POST":
        form = form_class(initial={"version": plan.version, **initial}, **form_kwargs)
        form._ponte_kwargs = form_kwargs
        context["form"] = form
        return render_page(request, template, context)
    form = form_class(request.POST, **form_kwargs)
    form._ponte_kwargs = form_kwargs
    context["form"] = form
    if not form.is_valid():
        return render_page(request, template, context, status=422 if request.htmx else 200)
    try:
        save(form.cleaned_data)
    except StaleObjectError as stale:
        return _stale_response(request, template, context, form, stale)
    except ValidationError as error:
        add_service_errors(form, error)
        return render_page(request, template, context, status=422 if request.htmx else 200)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("The plan was saved."))
    return redirect(reverse("plans:detail", args=[plan.pk]))


def _draft_or_404(request, pk: int) -> Plan:
    plan = _plan_or_404(request.user, pk, "change")
    if not can_edit_plan(request.user, plan):
        raise Http404
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    plan = _draft_or_404(request, pk)
    fields = ("title", "starts_on", "ends_on", "person_agreed", "agreed_on", "agreement_note")
    return _edit_page(
        request,
        plan,
        form_class=PlanForm,
        title=_("Plan and agreement"),
        initial={name: getattr(plan, name) for name in fields},
        save=lambda data: services.plan_update(
            actor=request.user, plan=plan, version=data["version"], **{name: data[name] for name in fields}
        ),
    )


def _goal_or_404(plan: Plan, goal_pk: int) -> Goal:
    goal = Goal.objects.filter(plan=plan, pk=goal_pk).first()
    if goal is None:
        raise Http404
    return goal


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk: int, goal_pk: int | None = None):
    plan = _draft_or_404(request, pk)
    goal = _goal_or_404(plan, goal_pk) if goal_pk else None
    initial = (
        {"area": goal.area, "title": goal.title, "description": goal.description, "term": goal.term_id} if goal else {}
    )
    return _edit_page(
        request,
        plan,
        form_class=GoalForm,
        title=_("Change the goal") if goal else _("Add a goal"),
        initial=initial,
        save=lambda d: services.goal_save(
            actor=request.user,
            plan=plan,
            version=d["version"],
            goal=goal,
            area=d["area"],
            title=d["title"],
            description=d["description"],
            term=d["term"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete(request, pk: int, goal_pk: int):
    plan = _draft_or_404(request, pk)
    goal = _goal_or_404(plan, goal_pk)
    return _edit_page(
        request,
        plan,
        form_class=ConfirmForm,
        title=_("Remove the goal «%(goal)s» with its actions and resources?") % {"goal": goal.title},
        initial={},
        danger=True,
        save=lambda d: services.goal_delete(actor=request.user, plan=plan, version=d["version"], goal=goal),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk: int, goal_pk: int, action_pk: int | None = None):
    plan = _draft_or_404(request, pk)
    goal = _goal_or_404(plan, goal_pk)
    action = PlanAction.objects.filter(goal=goal, pk=action_pk).first() if action_pk else None
    if action_pk and action is None:
        raise Http404
    fields = ("description", "organisation", "operator_name", "starts_on", "due_on")
    initial = {name: getattr(action, name) for name in fields} if action else {}
    return _edit_page(
        request,
        plan,
        form_class=ActionForm,
        title=(_("Change the action of «%(goal)s»") if action else _("Add an action to «%(goal)s»"))
        % {"goal": goal.title},
        initial=initial,
        save=lambda d: services.action_save(
            actor=request.user,
            plan=plan,
            version=d["version"],
            goal=goal,
            action=action,
            **{name: d[name] for name in fields},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request, pk: int, goal_pk: int, action_pk: int):
    plan = _draft_or_404(request, pk)
    goal = _goal_or_404(plan, goal_pk)
    action = PlanAction.objects.filter(goal=goal, pk=action_pk).first()
    if action is None:
        raise Http404
    return _edit_page(
        request,
        plan,
        form_class=ConfirmForm,
        title=_("Remove the action «%(action)s»?") % {"action": action.description},
        initial={},
        danger=True,
        save=lambda d: services.action_delete(actor=request.user, plan=plan, version=d["version"], action=action),
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk: int, goal_pk: int, resource_pk: int | None = None):
    plan = _draft_or_404(request, pk)
    goal = _goal_or_404(plan, goal_pk)
    resource = Resource.objects.filter(goal=goal, pk=resource_pk).first() if resource_pk else None
    if resource_pk and resource is None:
        raise Http404
    fields = ("description", "funding_source", "cost")
    initial = {name: getattr(resource, name) for name in fields} if resource else {}
    return _edit_page(
        request,
        plan,
        form_class=ResourceForm,
        title=(_("Change the resource of «%(goal)s»") if resource else _("Add a resource to «%(goal)s»"))
        % {"goal": goal.title},
        initial=initial,
        save=lambda d: services.resource_save(
            actor=request.user,
            plan=plan,
            version=d["version"],
            goal=goal,
            resource=resource,
            **{name: d[name] for name in fields},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_delete(request, pk: int, goal_pk: int, resource_pk: int):
    plan = _draft_or_404(request, pk)
    goal = _goal_or_404(plan, goal_pk)
    resource = Resource.objects.filter(goal=goal, pk=resource_pk).first()
    if resource is None:
        raise Http404
    return _edit_page(
        request,
        plan,
        form_class=ConfirmForm,
        title=_("Remove the resource «%(resource)s»?") % {"resource": resource.description},
        initial={},
        danger=True,
        save=lambda d: services.resource_delete(actor=request.user, plan=plan, version=d["version"], resource=resource),
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_date_add(request, pk: int):
    plan = _draft_or_404(request, pk)
    return _edit_page(
        request,
        plan,
        form_class=ReviewDateForm,
        title=_("Add a review date"),
        initial={},
        save=lambda d: services.review_date_add(
            actor=request.user, plan=plan, version=d["version"], planned_on=d["planned_on"]
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_date_delete(request, pk: int, review_pk: int):
    plan = _draft_or_404(request, pk)
    review = Review.objects.filter(plan=plan, pk=review_pk).first()
    if review is None:
        raise Http404
    return _edit_page(
        request,
        plan,
        form_class=ConfirmForm,
        title=_("Remove the review date %(date)s?") % {"date": review.planned_on.strftime("%d/%m/%Y")},
        initial={},
        danger=True,
        save=lambda d: services.review_date_delete(actor=request.user, plan=plan, version=d["version"], review=review),
    )


# ---------------------------------------------------------------------------------------------- approve, review


@login_required
@require_http_methods(["GET", "POST"])
def plan_approve(request, pk: int):
    """Approve the draft: it comes into force and never changes again."""
    plan = _plan_or_404(request.user, pk, "change")
    if not can_approve_plan(request.user, plan):
        raise Http404
    template = "plans/plan_approve.html"
    context = _plan_context(request.user, plan)
    form = ConfirmForm(request.POST or None, initial={"version": plan.version})
    context["form"] = form
    if plan.previous_id:
        context["changes"] = snapshots.diff(selectors.final_snapshot(plan.previous), snapshots.snapshot(plan))
    if request.method != "POST":
        _audit_plan_view(request.user, plan, approve=True)
        return render_page(request, template, context)
    if not form.is_valid():
        return render_page(request, template, context)
    try:
        services.plan_approve(actor=request.user, plan=plan, version=form.cleaned_data["version"])
    except StaleObjectError as stale:
        context = _plan_context(request.user, stale.current)
        context["form"] = ConfirmForm(initial={"version": stale.current.version})
        context["form"].add_error(
            None,
            _(
                "Someone else changed the plan while you were reading it: it was not approved. Read the changes listed "
                "and approve again."
            ),
        )
        context["stale_changes"] = getattr(stale, "changes", [])
        return render_page(request, template, context, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return render_page(request, template, context)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("The plan was approved and is now in force."))
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review_record(request, pk: int, review_pk: int):
    """Record a review of the plan in force: the outcome of each goal."""
    plan = _plan_or_404(request.user, pk, "change")
    if not can_review_plan(request.user, plan):
        raise Http404
    review = Review.objects.filter(plan=plan, pk=review_pk, held_on__isnull=True).first()
    if review is None:
        raise Http404
    goals = selectors.with_content(plan)
    form = ReviewRecordForm(request.POST or None, goals=goals, initial={"held_on": timezone.localdate()})
    context = {"plan": plan, "person": plan.person, "review": review, "form": form}
    template = "plans/review_record.html"
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record(
                actor=request.user,
                plan=plan,
                review=review,
                held_on=form.cleaned_data["held_on"],
                note=form.cleaned_data["note"],
                outcomes=form.outcomes(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The review was recorded."))
            return redirect("plans:detail", pk=plan.pk)
    return render_page(request, template, context)


# ---------------------------------------------------------------------------------------------- evaluations


def _evaluation_or_404(user, pk: int, action: str = "view") -> Evaluation:
    return get_restricted_or_404(
        Evaluation, user, action, queryset=Evaluation.objects.select_related("person", "organisation"), pk=pk
    )


@login_required
@require_http_methods(["POST"])
def evaluation_start(request, person_pk: int):
    person = _person_or_404(request.user, person_pk)
    form = EvaluationStartForm(request.POST)
    if form.is_valid():
        try:
            evaluation = services.evaluation_create(actor=request.user, person=person, **form.cleaned_data)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("plans:evaluation", pk=evaluation.pk)
    else:
        messages.error(request, _("Give the date of the session and your role in it."))
    return redirect("plans:person", person_pk=person.pk)


def _evaluation_context(user, evaluation: Evaluation) -> dict:
    participants = list(evaluation.participants.select_related("user", "organisation"))
    return {
        "evaluation": evaluation,
        "person": evaluation.person,
        "participants": participants,
        "assessments": list(
            Assessment.objects.restrict(user, "view")
            .filter(pk__in=evaluation.assessments.values("pk"))
            .select_related("instrument_version__instrument")
        ),
        "can_change": can_change_evaluation(user, evaluation),
        "can_sign": can_sign_evaluation(user, evaluation),
        "can_propose": can_propose_plan(user, evaluation) and not evaluation.plans.exists(),
        "problems": services.signing_problems(evaluation) if not evaluation.is_complete else [],
        "proposals": [(label, evaluation.proposals.get(area, "")) for area, label in _areas()],
        "plans": list(Plan.objects.restrict(user, "view").filter(evaluation=evaluation)),
        "sign_form": ConfirmForm(initial={"version": evaluation.version}),
    }


def _areas():
    from plans.choices import GoalArea

    return GoalArea.choices


@login_required
@require_GET
def evaluation_detail(request, pk: int):
    evaluation = _evaluation_or_404(request.user, pk)
    audit_log(actor=request.user, action=Action.EVALUATION_VIEW, obj=evaluation, person=evaluation.person)
    return render_page(request, "plans/evaluation_detail.html", _evaluation_context(request.user, evaluation))


def _evaluation_form_page(request, evaluation, *, form_class, title, initial, save, form_kwargs=None):
    form_kwargs = form_kwargs or {}
    template = "plans/evaluation_form.html"
    context = {"evaluation": evaluation, "person": evaluation.person, "title": title}
    if request.method != "POST":
        context["form"] = form_class(initial={"version": evaluation.version, **initial}, **form_kwargs)
        return render_page(request, template, context)
    form = form_class(request.POST, **form_kwargs)
    context["form"] = form
    if form.is_valid():
        try:
            save(form)
        except StaleObjectError as stale:
            data = request.POST.copy()
            data["version"] = str(stale.current.version)
            form = form_class(data, **form_kwargs)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else changed this evaluation while you were editing it: nothing of yours was saved. "
                    "Your input is kept below; open the evaluation in another tab to see their changes, then save "
                    "again."
                ),
            )
            context["form"] = form
            return render_page(request, template, context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The evaluation was saved."))
            return redirect("plans:evaluation", pk=evaluation.pk)
    return render_page(request, template, context)


def _changeable_evaluation_or_404(request, pk: int) -> Evaluation:
    evaluation = _evaluation_or_404(request.user, pk, "change")
    if not can_change_evaluation(request.user, evaluation):
        raise Http404
    return evaluation


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk: int):
    evaluation = _changeable_evaluation_or_404(request, pk)
    assessments = (
        Assessment.objects.restrict(request.user, "view")
        .filter(person=evaluation.person)
        .select_related("instrument_version__instrument")
    )
    initial = {
        "held_on": evaluation.held_on,
        "place": evaluation.place,
        "conclusion": evaluation.conclusion,
        "assessments": list(evaluation.assessments.values_list("pk", flat=True)),
        **{f"proposal_{area}": text for area, text in evaluation.proposals.items()},
    }
    return _evaluation_form_page(
        request,
        evaluation,
        form_class=EvaluationForm,
        title=_("Session, assessments used and joint conclusion"),
        initial=initial,
        form_kwargs={"assessments": assessments},
        save=lambda form: services.evaluation_update(
            actor=request.user,
            evaluation=evaluation,
            version=form.cleaned_data["version"],
            held_on=form.cleaned_data["held_on"],
            place=form.cleaned_data["place"],
            conclusion=form.cleaned_data["conclusion"],
            proposals=form.proposals(),
            assessments=form.cleaned_data["assessments"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_add(request, pk: int):
    evaluation = _changeable_evaluation_or_404(request, pk)
    taking_part = evaluation.participants.values("user_id")
    memberships = list(services.participant_candidates(evaluation.person).exclude(user_id__in=taking_part))

    def save(form):
        membership = form.memberships.get(form.cleaned_data["membership"])
        if membership is None:
            raise ValidationError({"membership": _("Choose a professional.")})
        services.participant_add(
            actor=request.user,
            evaluation=evaluation,
            version=form.cleaned_data["version"],
            membership=membership,
            role=form.cleaned_data["role"],
        )

    return _evaluation_form_page(
        request,
        evaluation,
        form_class=ParticipantForm,
        title=_("Add a professional"),
        initial={},
        form_kwargs={"memberships": memberships},
        save=save,
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_remove(request, pk: int, participant_pk: int):
    evaluation = _changeable_evaluation_or_404(request, pk)
    participant = evaluation.participants.select_related("user").filter(pk=participant_pk).first()
    if participant is None:
        raise Http404
    return _evaluation_form_page(
        request,
        evaluation,
        form_class=ConfirmForm,
        title=_("Remove %(name)s from the evaluation?")
        % {"name": participant.user.get_full_name() or participant.user.username},
        initial={},
        save=lambda form: services.participant_remove(
            actor=request.user, evaluation=evaluation, version=form.cleaned_data["version"], participant=participant
        ),
    )


@login_required
@require_http_methods(["POST"])
def evaluation_sign(request, pk: int):
    """The signed-in participant signs the content they read (its version)."""
    evaluation = _evaluation_or_404(request.user, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.evaluation_sign(actor=request.user, evaluation=evaluation, version=form.cleaned_data["version"])
    except PermissionDenied as error:
        raise Http404 from error
    except StaleObjectError as stale:
        context = _evaluation_context(request.user, stale.current)
        context["stale"] = True
        return render_page(request, "plans/evaluation_detail.html", context, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:evaluation", pk=evaluation.pk)
    messages.success(request, _("You signed the evaluation."))
    return redirect("plans:evaluation", pk=evaluation.pk)


@login_required
@require_http_methods(["POST"])
def evaluation_propose(request, pk: int):
    """Produce the plan proposal: a draft prefilled with the evaluation's proposed goals."""
    evaluation = _evaluation_or_404(request.user, pk)
    if evaluation.status != EvaluationStatus.COMPLETE or not can_propose_plan(request.user, evaluation):
        raise Http404
    try:
        plan = services.plan_propose(actor=request.user, evaluation=evaluation)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:evaluation", pk=evaluation.pk)
    messages.success(request, _("The plan proposal was drafted from the evaluation."))
    return redirect("plans:detail", pk=plan.pk)


# ------------------------------------------------------------------------------------------- shared vocabulary


@login_required
@require_GET
def vocabulary(request):
    """The shared vocabulary of focus areas (seed 004): search over names, synonyms and definitions in either
    language, or every term listed by area. Not person data: anyone signed in reads it, nothing is audited."""
    query = request.GET.get("q", "").strip()[:200]
    terms = list(Term.objects.all())
    lang = current_language()
    terms.sort(key=lambda term: vocabulary_search.fold(term.name_en if lang == "en" else term.name_it))
    results = vocabulary_search.search(terms, query) if query else None
    sections = []
    if results is None:
        labels = dict(GoalArea.choices)
        for area in [*GoalArea.values, ""]:
            in_area = [term for term in terms if term.area == area]
            if in_area:
                sections.append(
                    {"area": area or "other", "label": labels.get(area, _("Across areas")), "terms": in_area}
                )
    return render_page(
        request,
        "plans/vocabulary.html",
        {"query": query, "results": results, "sections": sections, "lang": lang, "total": len(terms)},
    )


@login_required
@require_GET
def vocabulary_term(request, slug: str):
    """A term: definitions, synonyms in social and in health language, how many plan goals use it (a count over
    all plans, no person data) and links only to the goals of plans the user may see."""
    term = Term.objects.filter(slug=slug).first()
    if term is None:
        raise Http404
    visible_goals = (
        Goal.objects.filter(term=term, plan__in=Plan.objects.restrict(request.user, "view"))
        .select_related("plan")
        .order_by("-plan__number", "pk")
    )
    return render_page(
        request,
        "plans/vocabulary_term.html",
        {
            "term": term,
            "lang": current_language(),
            "goal_count": term.goals.count(),
            "visible_goals": visible_goals,
            "instrument_items": selectors.instrument_items_using(term),
        },
    )
