"""Write calls-he.xlsx: a minimal Office Open XML workbook (ECMA-376), as Excel saves one.

Run from the repository root: ``python tests/data/files/make_xlsx.py``. Standard
library only (zipfile), so the fixture needs no writer library. Cells: Hebrew
header texts (inline strings), a date-time cell typed by its number format
(numFmtId 22), a text day-first date, numbers, an integral id, an empty row, and
a row whose amount is text no one can read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HEADER = ["ערוץ", "תאריך", "מוצר", "מחיר", "הערה", "לקוח"]
# Excel's serial for 2026-11-21 10:15 (days since 1899-12-30).
SERIAL = 46347 + (10 * 60 + 15) / 1440
ROWS = [
    HEADER,
    ["phone", ("date", SERIAL), "fiber-500", 99.9, 'אמרתי 99.90 ש"ח', 1001.0],
    ["phone", "15/12/2026", "fiber-1000", 129.9, "", 1002.0],
    [],
    ["phone", "16/12/2026", "fiber-1000", "מחיר לא ידוע", "", 1003.0],
]


def cell(ref: str, value) -> str:
    if isinstance(value, tuple):
        return f'<c r="{ref}" s="1"><v>{value[1]!r}</v></c>'
    if isinstance(value, float | int):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def sheet() -> str:
    rows = []
    for number, values in enumerate(ROWS, 1):
        cells = "".join(cell(f"{'ABCDEF'[i]}{number}", v) for i, v in enumerate(values) if v != "")
        rows.append(f'<row r="{number}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="שיחות" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" xfId="0"/>'
        '<xf numFmtId="22" xfId="0" applyNumberFormat="1"/></cellXfs>'
        "</styleSheet>"
    ),
}


def main() -> None:
    target = Path(__file__).with_name("calls-he.xlsx")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in {**PARTS, "xl/worksheets/sheet1.xml": sheet()}.items():
            book.writestr(zipfile.ZipInfo(name, (2026, 11, 30, 0, 0, 0)), text)
    print(target)


if __name__ == "__main__":
    main()
