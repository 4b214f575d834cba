"""Real-world files: encodings, separators, XLSX with typed cells, and files that cannot be read."""

import pytest

from imports.choices import RowAction, RunStatus
from imports.readers import decode, sniff_delimiter
from imports.tests.files import csv_bytes, person_row, xlsx_bytes
from imports.tests.test_services import errors_of, preview
from people.models import Person

# Accents that Windows-1252 and UTF-8 write differently.
ROW = person_row(last_name="Nicolò", first_name="Agnès", address="Via Cà Granda 3")


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1252", False)])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_encodings_and_separators(cast, encoding, bom, sep):
    run = preview(cast.coordinator_a, csv_bytes([ROW], sep=sep, encoding=encoding, bom=bom))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    assert run.rows[0]["name"] == "Nicolò Agnès"


def test_utf8_with_bom_imports_the_accents_right(cast):
    from imports import services

    run = preview(cast.coordinator_a, csv_bytes([ROW], bom=True))
    services.import_commit(actor=cast.coordinator_a, run=run)
    person = Person.objects.get()
    assert (person.last_name, person.first_name, person.address) == ("Nicolò", "Agnès", "Via Cà Granda 3")


def test_decode_and_sniff():
    assert decode("Nicolò".encode("cp1252")) == ("Nicolò", "cp1252")
    assert decode(b"\xef\xbb\xbfa;b") == ("a;b", "utf-8-sig")
    assert sniff_delimiter('name;"a, b";c\n') == ";"
    assert sniff_delimiter("a,b,c\n") == ","


@pytest.mark.parametrize("typed", [False, True])
def test_xlsx_with_text_or_typed_cells(cast, typed):
    run = preview(cast.coordinator_a, xlsx_bytes([ROW], typed=typed), "persons.xlsx")
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)


def test_italian_headers_and_blank_padding(cast):
    columns = [
        "sistema_origine",
        "id_origine",
        "Codice fiscale",
        "COGNOME",
        "Nome",
        "sesso",
        "Data di nascita",
        "luogo_nascita",
    ]
    row = {
        "sistema_origine": " SIAL ",
        "id_origine": " 5 ",
        "Codice fiscale": " brvlsu88d52f205h ",
        "COGNOME": " Brivio ",
        "Nome": "Luisa",
        "sesso": "F",
        "Data di nascita": "12/04/1988",
        "luogo_nascita": "Milano ",
    }
    run = preview(cast.coordinator_a, csv_bytes([row], columns=columns) + b"\r\n;;;\r\n")
    assert run.counts == {"rows": 1, "create": 1, "notes": []}, errors_of(run)


def _zip_without_workbook() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x00\x01\x02binary", "persons.csv", "does not look like a CSV file"),
        (b"PK\x03\x04 not really a zip", "persons.xlsx", "The workbook cannot be opened"),
        (_zip_without_workbook(), "persons.xlsx", "The workbook cannot be opened"),
        (b"not a workbook", "persons.xlsx", "is named .xlsx but is not a workbook"),
        (b"\xd0\xcf\x11\xe0old excel", "persons.xls", "Old Excel files (.xls) are not read"),
        (b"\r\n\r\n", "persons.csv", "The file has no header row"),
        (b"nome;cognome\r\nLuisa;Brivio\r\n", "persons.csv", "Required columns are missing: source_system, source_id"),
        (b'source_id;"unclosed\r\n', "persons.csv", ""),
    ],
)
def test_files_that_cannot_be_read_give_a_message(cast, data, name, message):
    run = preview(cast.coordinator_a, data, name)
    assert run.status == RunStatus.FAILED
    assert message in run.error and run.error


def test_unknown_columns_are_reported_and_ignored(cast):
    row = dict(person_row(), note_interne="x")
    run = preview(cast.coordinator_a, csv_bytes([row], columns=[*row]))
    assert run.counts["notes"] == ["These columns are not part of the layout and were ignored: note_interne."]


def test_oversized_file_is_refused_before_reading(cast, settings):
    from django.core.exceptions import ValidationError

    from imports import services

    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="too large"):
        services.import_upload(actor=cast.coordinator_a, filename="p.csv", data=csv_bytes([ROW]))
