"""docs/import.md: its example imports, and it documents every column of the layout."""

import re
from pathlib import Path

from imports.choices import RowAction
from imports.layouts.persons import COLUMNS
from imports.tests.test_services import errors_of, preview

DOC = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")


def test_the_documented_example_imports_cleanly(cast):
    example = re.search(r"## Example \(CSV, `;`\)\n\n```\n(.*?)```", DOC, re.S).group(1)
    run = preview(cast.coordinator_a, example.encode("utf-8"))
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)


def test_every_column_and_its_italian_names_are_documented():
    for column in COLUMNS:
        line = next(
            (
                row
                for row in DOC.splitlines()
                if row.startswith(f"| {column.name} |") or row.startswith(f"| **{column.name}** |")
            ),
            None,
        )
        assert line is not None, column.name
        assert column.aliases[0] in line, column.name
