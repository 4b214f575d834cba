"""One handler per layout: its columns, how a row is read, compared with Ponte and written. services.py runs
every layout through the same preview and commit with these."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from imports import case_rows, person_rows
from imports.choices import Entity
from imports.layouts import cases as case_layout
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
}


def handler_for(entity: str) -> Handler:
    return HANDLERS[entity]
