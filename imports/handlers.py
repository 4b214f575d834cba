"""One handler per layout: its columns, how a row is read, compared with Ponte and written. services.py runs
every layout through the same preview and commit with these."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from imports import (
    activity_rows,
    assessment_rows,
    case_rows,
    employer_rows,
    event_rows,
    opportunity_rows,
    path_rows,
    person_rows,
)
from imports.choices import Entity
from imports.layouts import activities as activity_layout
from imports.layouts import assessments as assessment_layout
from imports.layouts import cases as case_layout
from imports.layouts import employers as employer_layout
from imports.layouts import events as event_layout
from imports.layouts import opportunities as opportunity_layout
from imports.layouts import paths as path_layout
from imports.layouts import persons as person_layout


@dataclass(frozen=True)
class Handler:
    entity: str
    columns: tuple
    context: Callable  # (actor, run) -> context
    parse_row: Callable  # (ctx, line, cells by name) -> ParsedRow
    lookup: Callable  # (actor, ctx, rows) -> what plan and apply read
    plan: Callable  # (actor, ctx, row, lookup) -> plan
    apply: Callable  # (actor, ctx, plan, organisation=, run=, lookup=) -> None
    service_errors: Callable  # (row, exception) -> None
    refuse: Callable = lambda actor, plan: None  # audit at commit of a row refused in preview
    order: Callable = list  # the order a batch is planned and written in
    unique: tuple = ()  # (column, message): a value that appears once per file
    once: str = ""  # message for an old id that appears twice
    # (row) -> whether the row must be in the same batch as the row after it
    keeps_next: Callable = lambda row: False
    # (actor, ctx, rows, lookup, organisation=, run=) -> plans: plans and writes a whole batch at once, raising
    # RowByRow when it cannot; layouts without it are planned and written row by row.
    commit_batch: Callable | None = None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _person_context(actor, run):
    from imports.services import _context

    return _context(actor, run)


HANDLERS = {
    Entity.PERSONS: Handler(
        entity=Entity.PERSONS,
        columns=person_layout.COLUMNS,
        context=_person_context,
        parse_row=person_layout.parse_row,
        lookup=person_rows.BatchLookup,
        plan=person_rows.plan_row,
        apply=person_rows.apply_row,
        service_errors=person_rows.service_errors,
        refuse=person_rows.refuse_hidden,
        commit_batch=person_rows.commit_batch,
        unique=(("fiscal_code", _("Row %(line)d has the same fiscal code: each person once per file.")),),
        once=_("Row %(line)d has the same old id: each person once per file."),
    ),
    Entity.CASES: Handler(
        entity=Entity.CASES,
        columns=case_layout.CASE_COLUMNS,
        context=case_rows.context,
        parse_row=case_layout.parse_case_row,
        lookup=lambda actor, ctx, rows: case_rows.CaseLookup(actor, ctx, rows, Entity.CASES),
        plan=case_rows.plan_case,
        apply=case_rows.apply_case,
        service_errors=case_rows.service_errors,
        order=case_rows.order_cases,
        once=_("Row %(line)d has the same old id: each case once per file."),
    ),
    Entity.REFERRALS: Handler(
        entity=Entity.REFERRALS,
        columns=case_layout.REFERRAL_COLUMNS,
        context=case_rows.context,
        parse_row=case_layout.parse_referral_row,
        lookup=lambda actor, ctx, rows: case_rows.CaseLookup(actor, ctx, rows, Entity.REFERRALS),
        plan=case_rows.plan_referral,
        apply=case_rows.apply_referral,
        service_errors=case_rows.service_errors,
        once=_("Row %(line)d has the same old id: each referral once per file."),
    ),
    Entity.PATHS: Handler(
        entity=Entity.PATHS,
        columns=path_layout.PATH_COLUMNS,
        context=case_rows.context,
        parse_row=path_layout.parse_path_row,
        lookup=path_rows.PathLookup,
        plan=path_rows.plan_path,
        apply=path_rows.apply_path,
        service_errors=path_rows.service_errors,
        commit_batch=path_rows.commit_batch,
        keeps_next=path_rows.keeps_next,
        once=_("Row %(line)d has the same old id: each path once per file."),
    ),
    Entity.EVENTS: Handler(
        entity=Entity.EVENTS,
        columns=event_layout.EVENT_COLUMNS,
        context=case_rows.context,
        parse_row=event_layout.parse_event_row,
        lookup=event_rows.EventLookup,
        plan=event_rows.plan_event,
        apply=event_rows.apply_event,
        service_errors=event_rows.event_service_errors,
        once=_("Row %(line)d has the same old id: each event once per file."),
    ),
    Entity.ACTIVITIES: Handler(
        entity=Entity.ACTIVITIES,
        columns=activity_layout.ACTIVITY_COLUMNS,
        context=case_rows.context,
        parse_row=activity_layout.parse_activity_row,
        lookup=activity_rows.ActivityLookup,
        plan=activity_rows.plan_activity,
        apply=activity_rows.apply_activity,
        service_errors=activity_rows.activity_service_errors,
        once=_("Row %(line)d has the same old id: each activity once per file."),
    ),
    Entity.EMPLOYERS: Handler(
        entity=Entity.EMPLOYERS,
        columns=employer_layout.EMPLOYER_COLUMNS,
        context=employer_rows.context,
        parse_row=employer_layout.parse_employer_row,
        lookup=employer_rows.EmployerLookup,
        plan=employer_rows.plan_employer,
        apply=employer_rows.apply_employer,
        service_errors=employer_rows.service_errors,
        unique=(("name", _("Row %(line)d has the same employer: each employer once per file.")),),
        once=_("Row %(line)d has the same old id: each employer once per file."),
    ),
    Entity.OPPORTUNITIES: Handler(
        entity=Entity.OPPORTUNITIES,
        columns=opportunity_layout.OPPORTUNITY_COLUMNS,
        context=employer_rows.context,
        parse_row=opportunity_layout.parse_opportunity_row,
        lookup=opportunity_rows.OpportunityLookup,
        plan=opportunity_rows.plan_opportunity,
        apply=opportunity_rows.apply_opportunity,
        service_errors=opportunity_rows.service_errors,
        once=_("Row %(line)d has the same old id: each opportunity once per file."),
    ),
    Entity.ASSESSMENTS: Handler(
        entity=Entity.ASSESSMENTS,
        columns=assessment_layout.ASSESSMENT_COLUMNS,
        context=case_rows.context,
        parse_row=assessment_layout.parse_assessment_row,
        lookup=assessment_rows.AssessmentLookup,
        plan=assessment_rows.plan_assessment,
        apply=assessment_rows.apply_assessment,
        service_errors=assessment_rows.service_errors,
        once=_("Row %(line)d has the same old id: each assessment once per file."),
    ),
}


def handler_for(entity: str) -> Handler:
    return HANDLERS[entity]
