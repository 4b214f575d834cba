"""Reading CSV and XLSX files as they come from the old systems: rows of cells, streamed.

CSV: UTF-8 with or without BOM, else Windows-1252; `;`, `,` or tab separators, sniffed from the header.
XLSX: the first sheet, read-only (streamed), cell values as typed (dates stay dates).
"""

import csv
import io
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"


class FileError(ValueError):
    """A file that cannot be read at all; the message says what to do."""


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 30 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 200_000))


def check_size(size: int) -> None:
    if size == 0:
        raise FileError(_("The file is empty."))
    if size > max_bytes():
        raise FileError(
            _("The file is too large (%(size)d MB; at most %(max)d MB): split it into several files.")
            % {"size": round(size / 1024 / 1024), "max": max_bytes() // 1024 // 1024}
        )


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # Bytes Windows-1252 leaves undefined: Latin-1 reads every byte.
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(sample: str) -> str:
    """The separator of the header line: the one of ; , tab that occurs most outside quotes."""
    first = sample.split("\n", 1)[0]
    counts = {}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in ";,\t":
            counts[ch] = counts.get(ch, 0) + 1
    if not counts:
        return ";"
    return max(counts, key=lambda ch: (counts[ch], ch == ";"))


def _csv_rows(data: bytes) -> Iterator[list]:
    if b"\x00" in data[:4096]:
        raise FileError(_("This does not look like a CSV file (it holds binary data): save it as CSV (UTF-8) or XLSX."))
    content, _encoding = decode(data)
    delimiter = sniff_delimiter(content[:8192])
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise FileError(
            _("The CSV file is malformed near line %(line)d (%(error)s): check its quotes.")
            % {"line": reader.line_num, "error": exc}
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever a damaged workbook raises, the user gets a message
        raise FileError(_("The workbook cannot be opened: save it again as XLSX, or as CSV.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a valid zip
                raise FileError(_("The workbook is damaged: save it again as XLSX, or as CSV.")) from exc
            yield list(row)
    finally:
        workbook.close()


def read_rows(data: bytes, filename: str = "") -> Iterator[list]:
    """Every row of the file, the header first, as lists of cell values; FileError if it cannot be read."""
    check_size(len(data))
    name = (filename or "").lower()
    if data.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(data)
    elif name.endswith((".xlsx", ".xlsm")):
        raise FileError(_("The file is named .xlsx but is not a workbook: save it again as XLSX, or as CSV."))
    elif name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(_("Old Excel files (.xls) are not read: save the file as XLSX, or as CSV."))
    else:
        rows = _csv_rows(data)
    limit = max_rows()
    for index, row in enumerate(rows):
        if index > limit:
            raise FileError(_("The file has more than %(max)d rows: split it into several files.") % {"max": limit})
        yield row
