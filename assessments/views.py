"""Pages of the assessments: the instrument catalogue, a person's assessments with their history, filling one
in, reading one, comparing two, and the FHIR exports.

Assessments are reached only through `restrict()`; another organisation's assessment is a 404 identical to a
missing one (and the attempt is audited). Every read and write of an assessment is audited.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from assessments import fhir, selectors, services
from assessments.charts import line_chart
from assessments.definitions import clinical_item_ids, iter_items, label
from assessments.forms import AssessmentForm, StartForm
from assessments.models import Assessment, InstrumentVersion
from assessments.permissions import (
    can_fill_assessment,
    can_start_assessment,
    can_view_assessments_of,
    can_view_clinical_items,
    writable_item_ids,
)
from audit.choices import Action
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from core.exceptions import StaleObjectError
from core.htmx import render_page
from core.i18n import current_language
from people.models import Person


def _assessment_queryset():
    return Assessment.objects.select_related(
        "instrument_version__instrument", "person", "organisation", "unit", "author", "completed_by"
    )


def _person_or_404(user, pk: int) -> Person:
    person = get_restricted_or_404(Person, user, "view", pk=pk)
    if not can_view_assessments_of(user, person):
        raise Http404
    return person


# ---------------------------------------------------------------------------------------------- catalogue


@login_required
@require_GET
def catalogue(request):
    """The instruments with their versions, sources, licences and who may fill them in (no person data)."""
    lang = current_language()
    instruments = []
    listed = [
        (instrument, sorted(instrument.versions.all(), key=lambda v: -v.number)) for instrument in selectors.catalogue()
    ]
    terms = selectors.terms_of_versions([versions[0] for _instrument, versions in listed if versions])
    for instrument, versions in listed:
        if not versions:
            continue
        current = versions[0]
        definition = current.definition
        instruments.append(
            {
                "instrument": instrument,
                "current": current,
                "versions": versions,
                "title": label(definition["title"], lang),
                "description": label(definition["description"], lang),
                "source": label(definition["source"], lang),
                "licence": label(definition["licence"], lang),
                "notice": label(definition.get("notice"), lang),
                "self_report": definition["self_report"],
                "fill_roles": definition["fill_roles"],
                "sections": [label(s["title"], lang) for s in definition["sections"]],
                "items": sum(1 for _ in iter_items(definition)),
                "domains": [label(d["label"], lang) for d in definition["scoring"]["domains"]],
                "bands": [(b["min"], label(b["label"], lang)) for b in definition["scoring"].get("bands", [])],
                "terms": terms.get(current.pk, []),
            }
        )
    return render_page(request, "assessments/catalogue.html", {"instruments": instruments})


@login_required
@require_GET
def questionnaire_fhir(request, code: str, number: int):
    """An instrument version as a FHIR R4 Questionnaire (no person data)."""
    version = get_object_or_404(
        InstrumentVersion.objects.select_related("instrument"), instrument__code=code, number=number
    )
    return JsonResponse(
        fhir.questionnaire(version), content_type="application/fhir+json", json_dumps_params={"ensure_ascii": False}
    )


# ---------------------------------------------------------------------------------------------- a person's assessments


@login_required
@require_http_methods(["GET", "POST"])
def person_assessments(request, person_pk: int):
    """Per instrument, the person's assessments with their scores and band, and the history chart; POST starts one."""
    person = _person_or_404(request.user, person_pk)
    clinical = can_view_clinical_items(request.user, person)
    startable = [v for v in selectors.current_versions() if can_start_assessment(request.user, v, person)]
    start_form = StartForm(request.POST or None, versions=startable)
    if request.method == "POST":
        if start_form.is_valid():
            version = start_form.versions[start_form.cleaned_data["instrument"]]
            try:
                assessment = services.assessment_start(actor=request.user, person=person, version=version)
            except PermissionDenied as error:
                raise Http404 from error
            return redirect("assessments:fill", pk=assessment.pk)
    assessments = list(selectors.assessments_of(request.user, person))
    groups = selectors.history(assessments, clinical=clinical)
    lang = current_language()
    for group in groups:
        bands = group["series"][-1].definition["scoring"].get("bands", []) if group["series"] else []
        group["chart"] = line_chart(group["series"], bands=bands, lang=lang)
        group["title"] = group["instrument"].title
    audit_log(
        actor=request.user,
        action=Action.ASSESSMENT_VIEW,
        obj=person,
        person=person,
        detail={"list": True, "assessments": [a.pk for a in assessments]},
    )
    context = {"person": person, "groups": groups, "start_form": start_form if startable else None}
    return render_page(request, "assessments/person_assessments.html", context)


# ---------------------------------------------------------------------------------------------- one assessment


def _audit_view(user, assessment: Assessment, **detail) -> None:
    audit_log(
        actor=user, action=Action.ASSESSMENT_VIEW, obj=assessment, person=assessment.person, detail=detail or None
    )


@login_required
@require_GET
def assessment_detail(request, pk: int):
    """An assessment: answers and scores as the reader may see them (clinical content for clinical roles only)."""
    assessment = get_restricted_or_404(Assessment, request.user, "view", queryset=_assessment_queryset(), pk=pk)
    clinical = can_view_clinical_items(request.user, assessment.person)
    others = (
        Assessment.objects.restrict(request.user, "view")
        .filter(person=assessment.person, instrument_version__instrument=assessment.instrument_version.instrument)
        .exclude(pk=assessment.pk)
        .order_by("-assessed_on", "-pk")
    )
    context = {
        "assessment": assessment,
        "person": assessment.person,
        "title": assessment.instrument_version.title,
        "scores": selectors.score_view(assessment, clinical=clinical),
        "sections": selectors.visible_answers(assessment, clinical=clinical),
        "notice": label(assessment.definition.get("notice"), current_language()),
        "can_fill": can_fill_assessment(request.user, assessment),
        "others": list(others),
    }
    _audit_view(request.user, assessment, clinical=clinical)
    return render_page(request, "assessments/assessment_detail.html", context)


@login_required
@require_GET
def assessment_fhir(request, pk: int):
    """An assessment as a FHIR R4 QuestionnaireResponse (clinical items only for clinical roles)."""
    assessment = get_restricted_or_404(Assessment, request.user, "view", queryset=_assessment_queryset(), pk=pk)
    clinical = can_view_clinical_items(request.user, assessment.person)
    _audit_view(request.user, assessment, clinical=clinical, format="fhir")
    return JsonResponse(
        fhir.questionnaire_response(assessment, include_clinical=clinical),
        content_type="application/fhir+json",
        json_dumps_params={"ensure_ascii": False},
    )


def _stale_rows(assessment: Assessment, changed: dict) -> list[tuple[str, str, str]]:
    """What someone else changed: item label, the value it had when the user read it, its value now."""
    lang = current_language()
    items = {item["id"]: item for _s, item in iter_items(assessment.definition)}
    rows = []
    for item_id, (before, now) in changed.items():
        item = items.get(item_id)
        if item is None:
            continue
        rows.append(
            (
                label(item["text"], lang),
                selectors.display_answer(item, before, lang) or "—",
                selectors.display_answer(item, now, lang) or "—",
            )
        )
    return rows


FILL_TEMPLATE = "assessments/assessment_fill.html"


def _fill_response(request, context: dict, *, status: int = 200, fill_status: str = ""):
    """The fill page, or for htmx its `fill` partial (the form and the scores) with the status line out of band.

    htmx swaps the 409 and 422 answers too (the page's script lets it), so a stale save or a refused one is shown
    in place, with its messages, and the user's input kept.
    """
    context["fill_status"] = fill_status
    return render_page(request, FILL_TEMPLATE, context, partial="fill", status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_fill(request, pk: int):
    """Fill in a draft: save it, or complete it (required items checked). A stale save answers 409 and keeps the
    user's input, listing the items someone else changed meanwhile.

    Without JavaScript the form posts and the page redirects (save: back here; complete: to the assessment). With
    htmx (`HX-Request`) a save answers the form's partial showing the saved state, or the validation messages
    inline (422), or the stale save (409); a completion redirects the browser with `HX-Redirect`.
    """
    assessment = get_restricted_or_404(Assessment, request.user, "change", queryset=_assessment_queryset(), pk=pk)
    if not assessment.is_draft:
        messages.info(request, _("This assessment is completed: it can be read, not changed."))
        if request.htmx:
            return HttpResponseClientRedirect(reverse("assessments:detail", args=[assessment.pk]))
        return redirect("assessments:detail", pk=assessment.pk)
    if not can_fill_assessment(request.user, assessment):
        raise Http404
    person = assessment.person
    item_ids = writable_item_ids(request.user, assessment, person)
    form_kwargs = {"definition": assessment.definition, "item_ids": item_ids, "answers": assessment.answers}
    clinical = can_view_clinical_items(request.user, person)
    context = {
        "assessment": assessment,
        "person": person,
        "title": assessment.instrument_version.title,
        "notice": label(assessment.definition.get("notice"), current_language()),
        "hidden_clinical": bool(clinical_item_ids(assessment.definition)) and not clinical,
    }
    if request.method != "POST":
        form = AssessmentForm(
            initial={"version": assessment.version, "assessed_on": assessment.assessed_on}, **form_kwargs
        )
        _audit_view(request.user, assessment, clinical=clinical, form=True)
        context.update(form=form, scores=selectors.score_view(assessment, clinical=clinical))
        return render_page(request, FILL_TEMPLATE, context)

    form = AssessmentForm(request.POST, **form_kwargs)
    complete = request.POST.get("action") == "complete"
    context.update(form=form, scores=selectors.score_view(assessment, clinical=clinical))
    refused = _("Not saved: correct the items marked below.")
    if not form.is_valid():
        return _fill_response(request, context, status=422 if request.htmx else 200, fill_status=refused)
    try:
        saved = services.assessment_save(
            actor=request.user,
            assessment=assessment,
            version=form.cleaned_data["version"],
            answers=form.answers(),
            assessed_on=form.cleaned_data["assessed_on"],
            complete=complete,
        )
    except StaleObjectError as stale:
        current = stale.current
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = AssessmentForm(data, **{**form_kwargs, "answers": current.answers})
        form.is_valid()
        form.add_error(
            None,
            _(
                "Someone else saved this assessment while you were filling it in. Your input is kept below; "
                "the items they changed are listed with their value now. Check and save again."
            ),
        )
        context.update(form=form, assessment=current, stale_rows=_stale_rows(current, stale.changed))
        context["scores"] = selectors.score_view(current, clinical=clinical)
        fill_status = _("Not saved: someone else saved this assessment meanwhile. Check what changed and save again.")
        return _fill_response(request, context, status=409, fill_status=fill_status)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form.add_service_errors(
                {key: [m for e in errs for m in e.messages] for key, errs in error.error_dict.items()}
            )
        else:
            form.add_error(None, error)
        if complete:
            refused = _("The assessment was not completed: answer the items marked below.")
            form.add_error(None, refused)
        return _fill_response(request, context, status=422 if request.htmx else 200, fill_status=refused)
    except PermissionDenied as error:
        raise Http404 from error
    if complete:
        messages.success(request, _("The assessment was completed."))
        if request.htmx:
            return HttpResponseClientRedirect(reverse("assessments:detail", args=[saved.pk]))
        return redirect("assessments:detail", pk=saved.pk)
    saved_status = _("Draft saved at %(time)s.") % {"time": timezone.localtime(saved.updated_at).strftime("%H:%M")}
    if not request.htmx:
        messages.success(request, saved_status)
        return redirect("assessments:fill", pk=saved.pk)
    # htmx: the form again as a fresh draft form on the saved answers and version, as the redirect would show it.
    form = AssessmentForm(
        initial={"version": saved.version, "assessed_on": saved.assessed_on},
        **{**form_kwargs, "answers": saved.answers},
    )
    context.update(form=form, assessment=saved, scores=selectors.score_view(saved, clinical=clinical), saved=True)
    return _fill_response(request, context, fill_status=saved_status)


# ---------------------------------------------------------------------------------------------- compare


@login_required
@require_GET
def assessment_compare(request, pk: int, other_pk: int):
    """Two assessments of the same person and instrument side by side: answers, domain scores, total and band."""
    first = get_restricted_or_404(Assessment, request.user, "view", queryset=_assessment_queryset(), pk=pk)
    second = get_restricted_or_404(Assessment, request.user, "view", queryset=_assessment_queryset(), pk=other_pk)
    if (
        first.pk == second.pk
        or first.person_id != second.person_id
        or first.instrument_version.instrument_id != second.instrument_version.instrument_id
    ):
        raise Http404
    if (first.assessed_on, first.pk) > (second.assessed_on, second.pk):
        first, second = second, first
    clinical = can_view_clinical_items(request.user, first.person)
    lang = current_language()
    hidden = set() if clinical else clinical_item_ids(first.definition) | clinical_item_ids(second.definition)
    second_items = {item["id"]: item for _s, item in iter_items(second.definition)}
    rows, seen = [], set()
    for definition in (second.definition, first.definition):
        for _section, item in iter_items(definition):
            if item["id"] in hidden or item["id"] in seen:
                continue
            seen.add(item["id"])
            old = selectors.display_answer(item, first.answers.get(item["id"]), lang)
            new = selectors.display_answer(second_items.get(item["id"], item), second.answers.get(item["id"]), lang)
            rows.append({"text": label(item["text"], lang), "first": old, "second": new, "changed": old != new})
    first_scores = selectors.score_view(first, clinical=clinical)
    second_scores = selectors.score_view(second, clinical=clinical)
    second_by_id = {d.id: d for d in second_scores.domains}
    domain_rows = [
        (d.label, d.score, second_by_id.get(d.id).score if d.id in second_by_id else None) for d in first_scores.domains
    ]
    for detail_obj in (first, second):
        _audit_view(
            request.user, detail_obj, clinical=clinical, compared_with=(second if detail_obj is first else first).pk
        )
    context = {
        "person": first.person,
        "first": first,
        "second": second,
        "title": second.instrument_version.title,
        "rows": rows,
        "domain_rows": domain_rows,
        "first_scores": first_scores,
        "second_scores": second_scores,
    }
    return render_page(request, "assessments/assessment_compare.html", context)
