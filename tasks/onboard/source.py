"""A new customer's spreadsheet of management addresses (CSV or XLSX), read and checked row by row; no network.

An MSSP's new customer sends one row per device: its name, management address, SSH port, site, role and, when
they know it, its platform. `read_source` reads the file into `SourceRow`s, or, when anything is wrong, raises
one `SourceError` listing every bad row at once (one line per row, naming every bad column of it), so the
customer can fix the file in one go. The columns may carry the names customers use ("Hostname", "Mgmt IP",
"Device Type"); an empty platform is left to be detected on the device later. Nothing is written anywhere.

>>> canonical_column(" Device_Type "), canonical_column("MGMT-IP"), canonical_column("serial")
('platform', 'address', None)
>>> check_address("10.0.0.300")
"'10.0.0.300' is not an IPv4 address (Octet 300 (> 255) not permitted in '10.0.0.300')"
>>> check_address("fw_1.example.net")
"'fw_1.example.net' is not a DNS name (label 'fw_1' may hold only letters, digits and '-')"
>>> check_address("fw1.example.net") is None, check_address("2001:db8::1") is None
(True, True)
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from tasks.errors import InputError
from tasks.names import NAME_RULE, is_name
from tasks.platforms import PLATFORMS

DEFAULT_PORT = 22
REQUIRED = ("name", "address", "site", "role")  # the columns a file must have; port and platform may be left out
# Each field's column names, as customers write them; matched after `_normalise` (case, '_', '-' and spaces).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "name": ("name", "hostname", "host name", "device", "device name"),
    "address": (
        "address",
        "host",
        "ip",
        "ip address",
        "mgmt ip",
        "management ip",
        "management address",
        "mgmt address",
    ),
    "port": ("port", "ssh port"),
    "site": ("site", "location"),
    "role": ("role", "device role"),
    "platform": ("platform", "device type", "os"),
}
_FIELD_OF = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")  # RFC 1123: 1-63, no '-' at either end
_PORT = re.compile(r"^[0-9]{1,5}$")


@dataclass(frozen=True)
class SourceRow:
    """One device of the file, checked: the management address and port are where estate will connect."""

    row: int  # the row's number as a spreadsheet shows it (the header is row 1)
    name: str
    address: str  # an IP address in its standard form, or a DNS name as written (less a final root dot)
    port: int  # DEFAULT_PORT when the cell is empty
    site: str
    role: str
    platform: str | None  # a registered device_type; None when the cell is empty (detected later)


class SourceError(InputError):
    """Bad rows: `problems` holds one line per bad row; str() is those lines joined by newlines.

    A file that cannot be read at all (its suffix, its encoding, its header) is a single problem naming it.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def read_source(path: Path, sheet: str | None = None) -> list[SourceRow]:
    """The devices of a customer's `.csv` or `.xlsx` file, in file order; SourceError listing every problem.

    `sheet` names an XLSX file's worksheet (default: the first). Rows whose cells are all empty are skipped;
    columns that are not in `COLUMNS` are ignored.
    """
    table = list(_read_table(path, sheet))
    if not table:
        raise SourceError([f"{path}: empty (no header row)"])
    header_row, header = table[0]
    positions = _header(path, header_row, header)
    rows: list[SourceRow] = []
    problems: list[str] = []
    names: dict[str, int] = {}
    addresses: dict[tuple[str, int], int] = {}
    for number, cells in table[1:]:
        values = {field: cells[i] if i < len(cells) else "" for field, i in positions.items()}
        row, bad = _check_row(number, values, names, addresses)
        if bad:
            problems.append(f"{path}: row {number}: " + "; ".join(bad))
        elif row is not None:
            rows.append(row)
    if problems:
        raise SourceError(problems)
    return rows


def canonical_column(heading: str) -> str | None:
    """The field a column heading gives (`COLUMNS`), or None for a column estate does not read."""
    return _FIELD_OF.get(_normalise(heading))


def check_address(text: str) -> str | None:
    """What is wrong with a management address (an IPv4/IPv6 address or a DNS name), or None when it is good."""
    if "/" in text:
        return f"{text!r} is a network, not a device's address"
    if ":" in text or re.fullmatch(r"[0-9.]+", text):  # written as an IP address: say what is wrong with it
        kind, parse = ("IPv6", ipaddress.IPv6Address) if ":" in text else ("IPv4", ipaddress.IPv4Address)
        try:
            parse(text)
        except ValueError as exc:
            return f"{text!r} is not an {kind} address ({exc})"
        return None
    name = text[:-1] if text.endswith(".") else text  # a fully qualified name may end with the root's dot
    if len(name) > 253:
        return f"{text!r} is not a DNS name (longer than 253 characters)"
    for label in name.split("."):
        if not label:
            return f"{text!r} is not a DNS name (an empty label)"
        if len(label) > 63:
            return f"{text!r} is not a DNS name (label {label[:20]!r}... is longer than 63 characters)"
        if not _LABEL.match(label):
            if label.startswith("-") or label.endswith("-"):
                return f"{text!r} is not a DNS name (label {label!r} starts or ends with '-')"
            return f"{text!r} is not a DNS name (label {label!r} may hold only letters, digits and '-')"
    return None


def _normalise(heading: str) -> str:
    """A heading as `COLUMNS` writes it: lower case, '_' and '-' read as spaces, runs of spaces as one."""
    return " ".join(heading.lower().replace("_", " ").replace("-", " ").split())


def _check_row(
    number: int, values: Mapping[str, str], names: dict[str, int], addresses: dict[tuple[str, int], int]
) -> tuple[SourceRow | None, list[str]]:
    """The row, or its problems ("column: what is wrong"); records its name and address:port for later rows."""
    if not any(values.values()):
        return None, []
    bad: list[str] = []
    name = _required(values, "name", bad)
    if name:
        first = names.setdefault(name.lower(), number)
        if first != number:
            bad.append(f"name: {name!r} is also on row {first}")
    address = values["address"]
    wrong = check_address(address) if address else "empty (required)"
    if wrong is not None:
        bad.append(f"address: {wrong}")
    port = _port(values.get("port", ""), bad)
    if wrong is None and port is not None:
        address = _standard(address)
        first = addresses.setdefault((address.lower(), port), number)
        if first != number:
            shown = f"[{address}]" if ":" in address else address
            bad.append(f"address: {shown}:{port} is also on row {first}")
    site = _required(values, "site", bad)
    role = _required(values, "role", bad)
    platform = _platform(values.get("platform", ""), bad)
    if bad or name is None or site is None or role is None or port is None:
        return None, bad
    return SourceRow(number, name, address, port, site, role, platform), []


def _required(values: Mapping[str, str], field: str, bad: list[str]) -> str | None:
    text = values[field]
    if not text:
        bad.append(f"{field}: empty (required)")
        return None
    if not is_name(text):
        bad.append(f"{field}: {text!r} is not a name ({NAME_RULE})")
        return None
    return text


def _port(text: str, bad: list[str]) -> int | None:
    if not text:
        return DEFAULT_PORT
    if _PORT.match(text) and 1 <= int(text) <= 65535:
        return int(text)
    bad.append(f"port: {text!r} is not a port number (1-65535)")
    return None


def _platform(text: str, bad: list[str]) -> str | None:
    if not text:
        return None
    known = {name.lower(): name for name in PLATFORMS}
    known |= {alias.lower(): name for name, platform in PLATFORMS.items() for alias in platform.aliases}
    if text.lower() in known:
        return known[text.lower()]
    bad.append(f"platform: unknown {text!r} (supported: {', '.join(sorted(PLATFORMS))})")
    return None


def _standard(address: str) -> str:
    """An IP address in its standard form (so '10.0.0.01'-style spellings of one address match); a name as is."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address.removesuffix(".")


def _header(path: Path, row: int, cells: Sequence[str]) -> dict[str, int]:
    """{field: column index} of the header row; SourceError naming every missing or doubled column."""
    positions: dict[str, int] = {}
    problems: list[str] = []
    for i, heading in enumerate(cells):
        field = canonical_column(heading)
        if field is None:
            continue
        if field in positions:
            problems.append(
                f"{path}: header (row {row}): column {field!r} given twice "
                f"({cells[positions[field]]!r} and {heading!r})"
            )
            continue
        positions[field] = i
    for field in REQUIRED:
        if field not in positions:
            problems.append(
                f"{path}: header (row {row}): no {field!r} column (named one of: {', '.join(COLUMNS[field])})"
            )
    if problems:
        raise SourceError(problems)
    return positions


def _read_table(path: Path, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as stripped text) of every row from the first non-empty one (the header) on."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise SourceError([f"{path}: a CSV file has no sheets (sheet {sheet!r} given)"])
        rows = _csv_rows(path)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(path, sheet)
    else:
        raise SourceError([f"{path}: not a .csv or .xlsx file"])
    started = False
    for number, cells in enumerate(rows, start=1):
        started = started or any(cells)
        if started:
            yield number, cells


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError([f"{path}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"]) from None
    except OSError as exc:
        raise SourceError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel writes ';' where ',' is a decimal
    try:
        return [
            [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise SourceError([f"{path}: not a readable CSV file ({exc})"]) from None


def _xlsx_rows(path: Path, sheet: str | None) -> list[list[str]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a readable XLSX workbook"
        raise SourceError([f"{path}: cannot read: {reason}"]) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SourceError([f"{path}: no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})"])
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        return [[_cell_text(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A cell as text: '' for empty, a whole number without '.0' (a port typed as 22 is read back as 22.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value).strip()
