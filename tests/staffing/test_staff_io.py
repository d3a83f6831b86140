"""The staff directory file: CSV and Excel round trips, a Chinese Windows (GB18030) export, rows refused with their
line number and the column at fault, a repeated employee number refused, and files refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.domain.records import StaffMember
from console.domain.vocabulary import ServiceType, StaffRole
from console.feed.csv_import import CsvFileError, RejectedRow
from console.reports.cell_safety import FORMULA_STARTS, plain_cell, safe_cell
from console.staffing.staff_io import member_problem, read_staff, write_staff

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "staff.csv"

PEOPLE = [
    StaffMember("E1001", "王芳", StaffRole.BRANCH_MANAGER, (ServiceType.CORPORATE, ServiceType.VIP)),
    StaffMember("007", "李娜", StaffRole.LOBBY_MANAGER, (ServiceType.SELF_SERVICE,)),
    StaffMember("1003", "张伟", StaffRole.SENIOR_TELLER, (ServiceType.CASH, ServiceType.NON_CASH, ServiceType.VIP)),
    StaffMember("E-1004", "刘洋", StaffRole.TELLER, (ServiceType.NON_CASH, ServiceType.CASH)),
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_written_directory_reads_back_the_same(tmp_path: Path, suffix: str) -> None:
    path = write_staff(PEOPLE, tmp_path / f"staff{suffix}")
    parsed = read_staff(path)
    assert parsed.members == PEOPLE  # order, leading zeros and the order of skills kept
    assert parsed.rejected == [] and parsed.rows == 4


def test_the_shipped_example_reads_without_refusals() -> None:
    parsed = read_staff(EXAMPLE)
    assert parsed.rejected == []
    assert 6 <= len(parsed.members) <= 8
    assert {p.role for p in parsed.members} >= {StaffRole.TELLER, StaffRole.LOBBY_MANAGER}
    assert all(member_problem(p) is None for p in parsed.members)


def test_a_gb18030_export_with_extra_columns_and_any_column_order(tmp_path: Path) -> None:
    text = ("name,employee_no,remark,role,skills\r\n"
            "王芳,E1,网点负责人,branch_manager,corporate\r\n"
            ",,,,\r\n"  # an empty row (Excel leaves them) is skipped, not refused
            "陈静, E2 ,,Teller,cash；non_cash\r\n")  # a full-width semicolon from a Chinese keyboard
    path = tmp_path / "staff.csv"
    path.write_bytes(text.encode("gb18030"))
    parsed = read_staff(path)
    assert parsed.rejected == []
    assert parsed.members == [
        StaffMember("E1", "王芳", StaffRole.BRANCH_MANAGER, (ServiceType.CORPORATE,)),
        StaffMember("E2", "陈静", StaffRole.TELLER, (ServiceType.CASH, ServiceType.NON_CASH)),
    ]


def test_rows_with_problems_are_refused_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(
        "employee_no,name,role,skills\n"
        "E1,王芳,teller,cash\n"          # line 2: fine
        ",李娜,teller,cash\n"            # 3: no employee number
        "E 3,张伟,teller,cash\n"         # 4: a space in the employee number
        "E4,,teller,cash\n"              # 5: no name
        "E5,刘洋,clerk,cash\n"           # 6: unknown role
        "E6,陈静,teller,cash;foreign\n"  # 7: unknown service type
        "E7,杨帆,teller,\n"              # 8: no skills
        "E1,赵敏,vip_manager,vip\n",     # 9: the employee number of line 2 again
        encoding="utf-8")
    parsed = read_staff(path)
    assert [p.staff_id for p in parsed.members] == ["E1"] and parsed.rows == 8
    assert [r.line for r in parsed.rejected] == [3, 4, 5, 6, 7, 8, 9]
    reasons = {r.line: r.reason for r in parsed.rejected}
    assert reasons[3] == "employee_no is empty"
    assert reasons[4].startswith("employee_no 'E 3' must be 1 to 32 letters")
    assert reasons[5] == "name is empty"
    assert reasons[6].startswith("role 'clerk' is unknown; expected one of teller, senior_teller")
    assert reasons[7].startswith("skills: 'foreign' is not a service type")
    assert reasons[8].startswith("skills is empty")
    assert parsed.rejected[-1] == RejectedRow(9, "employee_no 'E1' is already on line 2")


def test_a_repeated_employee_number_in_excel_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["employee_no", "name", "role", "skills"])
    sheet.append([1001, "王芳", "teller", "cash"])  # typed as a number: read as "1001", not "1001.0"
    for column, value in enumerate(["1001", "李娜", "teller", "cash"], start=1):  # row 4 left empty
        sheet.cell(row=5, column=column, value=value)
    path = tmp_path / "staff.xlsx"
    book.save(path)
    parsed = read_staff(path)
    assert parsed.members == [StaffMember("1001", "王芳", StaffRole.TELLER, (ServiceType.CASH,))]
    assert parsed.rejected == [RejectedRow(5, "employee_no '1001' is already on line 2")]


def test_unusable_files_are_refused_whole(tmp_path: Path) -> None:
    missing_column = tmp_path / "staff.csv"
    missing_column.write_text("employee_no,name,skills\nE1,王芳,cash\n", encoding="utf-8")
    with pytest.raises(CsvFileError, match="has no column role"):
        read_staff(missing_column)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CsvFileError, match="is empty"):
        read_staff(empty)
    with pytest.raises(CsvFileError, match="does not exist"):
        read_staff(tmp_path / "nobody.xlsx")
    not_a_book = tmp_path / "staff.xlsx"
    not_a_book.write_text("employee_no,name,role,skills\n", encoding="utf-8")
    with pytest.raises(CsvFileError, match="cannot be read as an Excel workbook"):
        read_staff(not_a_book)
    with pytest.raises(CsvFileError, match="neither .csv nor .xlsx"):
        read_staff(tmp_path / "staff.txt")


def test_member_problem_is_the_directory_rule() -> None:
    good = PEOPLE[0]
    assert member_problem(good) is None
    assert member_problem(StaffMember("E 1", "王芳", good.role, good.skills)) == "employee_no"
    assert member_problem(StaffMember("E1", " ", good.role, good.skills)) == "name"
    assert member_problem(StaffMember("E1", "王芳", good.role, ())) == "skills"


# texts starting like a formula: the export writes them behind a ' (cell_safety), the reader takes it away again

FORMULA_LIKE = [
    StaffMember("-7", "-Li", StaffRole.TELLER, (ServiceType.CASH,)),  # "-7" passes the EMPLOYEE_NO rule
    StaffMember("E2", "=cmd", StaffRole.TELLER, (ServiceType.NON_CASH,)),
    StaffMember("E3", "@x", StaffRole.SENIOR_TELLER, (ServiceType.CASH, ServiceType.VIP)),
    StaffMember("E4", "+86 王芳", StaffRole.LOBBY_MANAGER, (ServiceType.SELF_SERVICE,)),
    StaffMember("E5", "'quoted", StaffRole.TELLER, (ServiceType.CASH,)),  # the user's own quote: kept
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_texts_starting_like_a_formula_read_back_as_written(tmp_path: Path, suffix: str) -> None:
    path = write_staff(FORMULA_LIKE, tmp_path / f"staff{suffix}")
    if suffix == ".csv":  # the file really holds the export's quote, so the reader is what takes it away
        text = path.read_text(encoding="utf-8-sig")
        assert "'-7,'-Li," in text and ",'=cmd," in text and "\nE5,'quoted," in text
    else:
        from openpyxl import load_workbook

        book = load_workbook(path)
        assert [c.value for c in book.worksheets[0]["A2":"B2"][0]] == ["'-7", "'-Li"]
    parsed = read_staff(path)
    assert parsed.rejected == []
    assert parsed.members == FORMULA_LIKE


def test_a_users_own_quote_before_an_ordinary_text_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("employee_no,name,role,skills\n"
                    "E1,'Li,teller,cash\n"  # typed by the user: stays
                    "'-8,'=Wang,teller,cash\n", encoding="utf-8")  # as the export writes them: the quote goes
    parsed = read_staff(path)
    assert parsed.rejected == []
    assert [(m.staff_id, m.name) for m in parsed.members] == [("E1", "'Li"), ("-8", "=Wang")]


def test_plain_cell_undoes_safe_cell_and_nothing_else() -> None:
    for start in FORMULA_STARTS:
        assert plain_cell(safe_cell(start + "1")) == start + "1"
    for text in ("", "'", "'abc", "''-7", "abc", "-7", "a'=b"):
        assert plain_cell(text) == text
