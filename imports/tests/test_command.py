"""`manage.py import_legacy`: the same checks and report as the page, and --commit."""

import pytest
from django.core.management import CommandError, call_command

from imports.tests.files import csv_bytes, person_row
from people.models import Person


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_legacy", *args, stdout=out)
    return out.getvalue()


def test_check_then_commit(cast, tmp_path):
    path = tmp_path / "persons.csv"
    wrong_sex = dict(person_row(source_id="2", last_name="Colombo"), sex="maschio")
    path.write_bytes(csv_bytes([person_row(), wrong_sex]))
    out = run("persons", str(path), "--user", "coordinator_a")
    assert "create: 1" in out and "error: 1" in out
    assert "row 3 [SIAL:2] sex: The sex does not match the fiscal code." in out
    assert "Nothing was written" in out and not Person.objects.exists()
    out = run("persons", str(path), "--user", "coordinator_a", "--commit")
    assert "Imported" in out and Person.objects.count() == 1
    assert "unchanged: 1" in run("persons", str(path), "--user", "coordinator_a", "--commit")


def test_refuses_users_who_may_not_import_and_missing_files(cast, tmp_path):
    path = tmp_path / "persons.csv"
    path.write_bytes(csv_bytes([person_row()]))
    with pytest.raises(CommandError, match="may not import"):
        run("persons", str(path), "--user", "operator_a")
    with pytest.raises(CommandError, match="No file"):
        run("persons", str(tmp_path / "missing.csv"), "--user", "coordinator_a")
    with pytest.raises(CommandError, match="The workbook cannot be opened"):
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"PK\x03\x04zzz")
        run("persons", str(bad), "--user", "coordinator_a")


def test_the_new_layouts_from_the_command_line(cast):
    from pathlib import Path

    from opportunities.models import EmployerProfile

    employers = str(Path(__file__).resolve().parent / "data" / "employers_mistakes.csv")
    out = run("employers", employers, "--user", "coordinator_a")
    assert "create: 1" in out and "error: 10" in out and "row 4 [INTEGRALAVORO:AZ-11] kind:" in out
    assert not EmployerProfile.objects.exists()
    assert "Imported" in run("employers", employers, "--user", "coordinator_a", "--commit")
    assert EmployerProfile.objects.count() == 1
