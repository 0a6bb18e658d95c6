"""Build the spreadsheet templates in this folder (docs/spreadsheets.md).

    python templates/build_templates.py

writes
- govkg-template.xlsx: the empty template (every sheet with its headers, the meta sheet to fill,
  and the notes sheet explaining each column);
- example-qinhuai.xlsx: the bundled Qinhuai city (examples/nanjing-qinhuai) exported into it.

tests/test_tables.py checks that both files match what the code would write now.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govkg.tables import export_to, template_book, write_book
from govkg.tables.notes import column_widths

HERE = Path(__file__).resolve().parent


def main() -> int:
    write_book(template_book(), HERE / "govkg-template.xlsx", column_widths())
    export_to("nanjing-qinhuai", HERE / "example-qinhuai.xlsx")
    print(f"wrote {HERE / 'govkg-template.xlsx'} and {HERE / 'example-qinhuai.xlsx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
