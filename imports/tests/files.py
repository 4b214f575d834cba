"""Real files for the import tests: CSV in several encodings and separators, XLSX written with openpyxl."""

import csv
import datetime
import io

from core.testing.cast import fiscal_code_for
from imports.layouts.persons import COLUMN_NAMES


def person_row(**over) -> dict:
    """A valid row of the persons layout for a woman born in Milan; `over` changes or adds cells."""
    row = {
        "source_system": "SIAL",
        "source_id": "1001",
        "last_name": "Brivio",
        "first_name": "Luisa",
        "sex": "F",
        "birth_date": "12/04/1988",
        "birth_place": "Milano",
        "residence_comune": "Milano",
        "residence_municipio": "8",
        "phone": "+39 333 1234567",
        "education": "diploma",
        "civil_invalidity_percent": "67",
        "law68_registered": "sì",
        "law68_registered_on": "10/01/2019",
        "consent_care_given_on": "01/02/2020",
    }
    row.update(over)
    if "fiscal_code" not in row:
        born = datetime.datetime.strptime(row["birth_date"], "%d/%m/%Y").date()
        row["fiscal_code"] = fiscal_code_for(
            last_name=row["last_name"],
            first_name=row["first_name"],
            sex=row["sex"][:1].upper(),
            birth_date=born,
            birth_place=row["birth_place"],
        )
    return row


def table(rows: list[dict], columns=None) -> list[list]:
    if columns is None and rows and "person_source_id" in rows[0]:
        columns = list(dict.fromkeys(name for row in rows for name in row))
    columns = list(columns or COLUMN_NAMES)
    return [columns] + [[row.get(name, "") for name in columns] for row in rows]


def csv_bytes(rows: list[dict], *, sep: str = ";", encoding: str = "utf-8", bom: bool = False, columns=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerows(table(rows, columns))
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[dict], *, columns=None, typed: bool = False) -> bytes:
    """A workbook as Excel users make them: with `typed`, dates are date cells and numbers are numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for index, values in enumerate(table(rows, columns)):
        if typed and index:
            values = [_typed(value) for value in values]
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _typed(value):
    if isinstance(value, str) and len(value) == 10 and value[2] == "/" and value[5] == "/":
        return datetime.datetime.strptime(value, "%d/%m/%Y")
    if isinstance(value, str) and value.isdigit() and len(value) <= 3:
        return int(value)
    return value


def read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def case_row(**over) -> dict:
    """A valid row of the cases layout: a past case of person SIAL:1001 at A's Polo Lavoro, closed."""
    row = {
        "source_system": "SIAL",
        "source_id": "C-1",
        "person_source_id": "1001",
        "unit": "Polo Lavoro Sacco",
        "area": "lavoro",
        "opened_on": "15/09/2012",
        "status": "chiusa",
        "closed_on": "30/06/2017",
        "closing_reason": "obiettivi raggiunti",
        "closing_note": "Assunta",
    }
    row.update(over)
    return row


def referral_row(**over) -> dict:
    """A valid row of the referrals layout: person SIAL:1001 referred inside A in 2015, accepted."""
    row = {
        "source_system": "SIAL",
        "source_id": "R-1",
        "person_source_id": "1001",
        "from_unit": "CPS Sacco",
        "to_unit": "Polo Lavoro Sacco",
        "area": "work",
        "reason": "Inserimento lavorativo",
        "sent_on": "10/03/2015",
        "status": "accettata",
        "decided_on": "24/03/2015",
    }
    row.update(over)
    return row
