"""A customer's spreadsheet read into checked rows: one line per bad row, naming the file, the row and the column."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tasks.errors import InputError
from tasks.onboard.source import SourceError, SourceRow, read_source

# Aliases in mixed case, '_' / '-' / spaces, a column estate does not read, an empty platform and an empty port.
GOOD_CSV = """\
Hostname,MGMT-IP, SSH_Port ,Location,Device Role,device_type,Serial
acme-lon1-fw01,192.0.2.1,22,lon1,edge-fw,PaloAlto_PANOS,X1
acme-lon1-sw01,sw01.lon1.acme.example,,lon1,access,,X2
acme-lon1-sw02,2001:db8::1,2222,lon1,access,cisco_xe,X3
"""
EXPECTED = [
    SourceRow(2, "acme-lon1-fw01", "192.0.2.1", 22, "lon1", "edge-fw", "paloalto_panos"),
    SourceRow(3, "acme-lon1-sw01", "sw01.lon1.acme.example", 22, "lon1", "access", None),
    SourceRow(4, "acme-lon1-sw02", "2001:db8::1", 2222, "lon1", "access", "cisco_ios"),
]
HEADER = "name,address,port,site,role,platform\n"


def write_csv(tmp_path: Path, text: str, name: str = "customers.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], title: str = "Devices") -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "read me first"
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "customers.xlsx"
    book.save(path)
    return path


def problems(path: Path, sheet: str | None = None) -> list[str]:
    with pytest.raises(SourceError) as caught:
        read_source(path, sheet)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def test_good_csv_with_aliases_mixed_case_and_empty_platform(tmp_path: Path) -> None:
    assert read_source(write_csv(tmp_path, GOOD_CSV)) == EXPECTED


def test_csv_with_bom_semicolons_and_empty_rows(tmp_path: Path) -> None:
    text = "\ufeff" + GOOD_CSV.replace(",", ";").replace("\nacme-lon1-sw01", "\n;;;;;;\nacme-lon1-sw01")
    rows = read_source(write_csv(tmp_path, text))
    assert [(r.row, r.name) for r in rows] == [(2, "acme-lon1-fw01"), (4, "acme-lon1-sw01"), (5, "acme-lon1-sw02")]


def test_good_xlsx_with_named_sheet_and_numeric_ports(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["Device Name", "IP Address", "Port", "Site", "Role", "OS"],
            ["acme-lon1-fw01", "192.0.2.1", 22.0, " lon1 ", "edge-fw", "paloalto_panos"],
            ["acme-lon1-sw01", "sw01.lon1.acme.example", None, "lon1", "access", None],
            [None, None, None, None, None, None],
            ["acme-lon1-sw02", "2001:db8::1", 2222, "lon1", "access", "CISCO_XE"],
        ],
    )
    rows = read_source(path, sheet="Devices")
    assert [(r.name, r.port, r.site, r.platform) for r in rows] == [
        ("acme-lon1-fw01", 22, "lon1", "paloalto_panos"),
        ("acme-lon1-sw01", 22, "lon1", None),
        ("acme-lon1-sw02", 2222, "lon1", "cisco_ios"),
    ]
    assert [r.row for r in rows] == [2, 3, 5]


def test_xlsx_port_that_is_not_whole_is_bad(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, [["name", "ip", "port", "site", "role"], ["fw1", "192.0.2.1", 22.5, "lon1", "fw"]])
    assert problems(path, "Devices") == [f"{path}: row 2: port: '22.5' is not a port number (1-65535)"]


def test_xlsx_default_sheet_is_the_first(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, [["name", "ip", "site", "role"], ["fw1", "192.0.2.1", "lon1", "fw"]])
    # the first sheet ("Notes") has no device columns
    assert any("no 'name' column" in line for line in problems(path))


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ("fw 1,192.0.2.9,22,lon1,fw,", "name", "'fw 1' is not a name"),
        (",192.0.2.9,22,lon1,fw,", "name", "empty (required)"),
        ("fw9,,22,lon1,fw,", "address", "empty (required)"),
        ("fw9,10.0.0.300,22,lon1,fw,", "address", "'10.0.0.300' is not an IPv4 address (Octet 300"),
        ("fw9,2001:db8::zz,22,lon1,fw,", "address", "'2001:db8::zz' is not an IPv6 address"),
        ("fw9,fw_9.example.net,22,lon1,fw,", "address", "label 'fw_9' may hold only letters, digits and '-'"),
        ("fw9,-fw9.example.net,22,lon1,fw,", "address", "label '-fw9' starts or ends with '-'"),
        ("fw9,192.0.2.0/24,22,lon1,fw,", "address", "is a network"),
        ("fw9,192.0.2.9,abc,lon1,fw,", "port", "'abc' is not a port number (1-65535)"),
        ("fw9,192.0.2.9,0,lon1,fw,", "port", "'0' is not a port number"),
        ("fw9,192.0.2.9,65536,lon1,fw,", "port", "'65536' is not a port number"),
        ("fw9,192.0.2.9,22,lon 1,fw,", "site", "'lon 1' is not a name"),
        ("fw9,192.0.2.9,22,,fw,", "site", "empty (required)"),
        ("fw9,192.0.2.9,22,lon1,,", "role", "empty (required)"),
        ("fw9,192.0.2.9,22,lon1,edge/fw,", "role", "'edge/fw' is not a name"),
        ("fw9,192.0.2.9,22,lon1,fw,cisco_asa", "platform", "unknown 'cisco_asa' (supported: arista_eos, cisco_ios,"),
    ],
)
def test_each_bad_value_is_one_line_naming_file_row_and_column(
    tmp_path: Path, cells: str, column: str, says: str
) -> None:
    path = write_csv(tmp_path, HEADER + "fw1,192.0.2.1,22,lon1,fw,\n" + cells + "\nfw2,192.0.2.2,,lon1,fw,\n")
    found = problems(path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}: row 3: {column}: ")
    assert says in found[0]


def test_every_bad_row_is_reported_in_row_order(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + "fw1,192.0.2.1,x,lon1,fw,\nfw2,192.0.2.2,22,lon1,fw,\nfw3,,22,lon1,fw,\n")
    found = problems(path)
    assert [line.split(": ")[1] for line in found] == ["row 2", "row 4"]


def test_a_row_with_several_bad_columns_is_one_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + "fw1,192.0.2.1,abc,lon1,fw,cisco_asa\n")
    assert problems(path) == [
        f"{path}: row 2: port: 'abc' is not a port number (1-65535); platform: unknown 'cisco_asa' "
        "(supported: arista_eos, cisco_ios, cisco_nxos, fortinet, juniper_junos, paloalto_panos)"
    ]


def test_duplicate_name_and_duplicate_address_and_port(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        HEADER
        + "fw1,10.0.0.1,22,lon1,fw,\n"
        + "FW1,10.0.0.2,22,lon1,fw,\n"  # the same name in another case
        + "fw3,10.0.0.1,,lon1,fw,\n"  # the same address and (default) port
        + "fw4,2001:db8::1,22,lon1,fw,\n"
        + "fw5,2001:DB8:0::1,22,lon1,fw,\n",  # the same IPv6 address, written another way
    )
    assert problems(path) == [
        f"{path}: row 3: name: 'FW1' is also on row 2",
        f"{path}: row 4: address: 10.0.0.1:22 is also on row 2",
        f"{path}: row 6: address: [2001:db8::1]:22 is also on row 5",
    ]


def test_same_address_with_different_ports_passes(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + "lab1,127.0.0.1,10001,lab,fw,\nlab2,127.0.0.1,10002,lab,fw,\n")
    assert [(r.address, r.port) for r in read_source(path)] == [("127.0.0.1", 10001), ("127.0.0.1", 10002)]


def test_missing_required_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "name,address,role\nfw1,192.0.2.1,fw\n")
    assert problems(path) == [f"{path}: header (row 1): no 'site' column (named one of: site, location)"]


def test_column_given_twice(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "name,ip,Mgmt IP,site,role\nfw1,192.0.2.1,192.0.2.1,lon1,fw\n")
    assert problems(path) == [f"{path}: header (row 1): column 'address' given twice ('ip' and 'Mgmt IP')"]


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, [["name", "ip", "site", "role"]])
    assert problems(path, "Routers") == [f"{path}: no sheet 'Routers' (sheets: Notes, Devices)"]


@pytest.mark.parametrize(
    ("name", "content", "sheet", "says"),
    [
        ("customers.txt", HEADER, None, "not a .csv or .xlsx file"),
        ("customers.csv", HEADER, "Devices", "a CSV file has no sheets (sheet 'Devices' given)"),
        ("customers.xlsx", "name,address\n", None, "cannot read: not a readable XLSX workbook"),
        ("customers.csv", "", None, "empty (no header row)"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_problem_naming_it(
    tmp_path: Path, name: str, content: str, sheet: str | None, says: str
) -> None:
    path = write_csv(tmp_path, content, name)
    assert problems(path, sheet) == [f"{path}: {says}"]


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + "zürich-fw1,192.0.2.1,22,zürich,fw,\n", encoding="latin-1")
    (line,) = problems(path)
    assert line.startswith(f"{path}: not UTF-8 text")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    (line,) = problems(path)
    assert line.startswith(f"{path}: cannot read: ")


def test_source_error_is_input_error() -> None:
    error = SourceError(["a.csv: row 2: port: 'x'", "a.csv: row 3: site: empty (required)"])
    assert isinstance(error, InputError)
    assert str(error).splitlines() == error.problems
