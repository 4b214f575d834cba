"""docs/import.md: its examples import, and it documents every column of every layout."""

import re
from pathlib import Path

import pytest

from accounts.choices import Role
from core.testing.cast import make_user
from imports.choices import Entity, RowAction
from imports.handlers import handler_for
from imports.tests.test_cases import run_file
from imports.tests.test_services import errors_of, preview

DOC = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
SECTIONS = {
    Entity.PERSONS: "## Columns of the persons layout",
    Entity.CASES: "## Columns of the cases layout",
    Entity.REFERRALS: "## Columns of the referrals layout",
    Entity.PATHS: "## Columns of the paths layout",
    Entity.EVENTS: "## Columns of the events layout",
    Entity.ACTIVITIES: "## Columns of the activities layout",
    Entity.EMPLOYERS: "## Columns of the employers layout",
    Entity.OPPORTUNITIES: "## Columns of the opportunities layout",
    Entity.ASSESSMENTS: "## Columns of the assessments layout",
}


def _example(title: str) -> bytes:
    return re.search(re.escape(title) + r"\n\n```\n(.*?)```", DOC, re.S).group(1).encode("utf-8")


def test_the_documented_example_imports_cleanly(cast):
    run = preview(cast.coordinator_a, _example("## Example (CSV, `;`)"))
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)


def test_the_documented_examples_of_every_layout_import_in_order(cast, clinical_coordinator):
    run_file(cast.coordinator_a, Entity.PERSONS, _example("## Example (CSV, `;`)"))
    from assessments.loader import load_instruments
    from plans.vocabulary import load_vocabulary

    load_vocabulary()
    load_instruments()
    make_user("m.bianchi", cast.unit_a, Role.OPERATOR)  # the operator of the activities example
    for entity in (Entity.CASES, Entity.REFERRALS, Entity.PATHS, Entity.EVENTS, Entity.ACTIVITIES, Entity.ASSESSMENTS):
        run = run_file(cast.coordinator_a, entity, _example(f"### Example of the {entity} layout (CSV, `;`)"))
        assert run.counts[RowAction.CREATE] == 2, errors_of(run)


@pytest.mark.parametrize("entity", list(SECTIONS))
def test_every_column_and_its_italian_names_are_documented(entity):
    section = DOC.split(SECTIONS[entity], 1)[1].split("\n## ", 1)[0]
    for column in handler_for(entity).columns:
        line = next(
            (
                row
                for row in section.splitlines()
                if row.startswith(f"| {column.name} |") or row.startswith(f"| **{column.name}** |")
            ),
            None,
        )
        assert line is not None, column.name
        assert column.aliases[0] in line, column.name
        assert line.startswith("| **") == column.required, column.name


def test_the_documented_examples_of_employers_and_opportunities_import(cast):
    for entity in (Entity.EMPLOYERS, Entity.OPPORTUNITIES):
        run = run_file(cast.coordinator_a, entity, _example(f"### Example of the {entity} layout (CSV, `;`)"))
        assert run.counts[RowAction.CREATE] == 2, errors_of(run)


@pytest.mark.parametrize("entity", list(Entity))
def test_every_layout_has_a_template_with_its_guide(cast, client_for, entity):
    from django.urls import reverse

    from imports.tests.files import read_xlsx

    client = client_for(cast.coordinator_a)
    xlsx = client.get(reverse("imports:entity_template", args=[entity, "xlsx"]))
    csv = client.get(reverse("imports:entity_template", args=[entity, "csv"]))
    assert xlsx.status_code == csv.status_code == 200
    names = [column.name for column in handler_for(entity).columns]
    assert read_xlsx(xlsx.content)[0] == names
    assert csv.content.decode("utf-8-sig").splitlines()[0].split(";") == names
