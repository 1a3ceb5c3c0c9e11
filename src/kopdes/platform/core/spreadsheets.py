"""The one way a filled Excel template is read back (members' registration, the store's
catalog, the RDKK list): all or nothing, every problem with its row number.

The caller owns what a cell means (``cell(key, value)``: a money column to sen, a date,
text) and what a row means (its service validates it); this owns what every import
shares: the size limit, a file that is not a workbook, the sheet, the header row, blank
rows skipped, the row limit and the characters no stored text may hold.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kopdes.domain.text import TextError, first_refused
from kopdes.platform.core.forms import refused_message

MAX_BYTES = 5 * 1024 * 1024

Problem = tuple[int, str, str]  # (row number, column key or "file", message)


def _norm(header: Any) -> str:
    return " ".join(str(header or "").split()).lower()


def header_problem(found: Sequence[Any], columns: Sequence[tuple[str, str]]) -> str | None:
    """Why the header row ``found`` is not the template's ``columns``, or None."""
    header = [_norm(h) for h in found]
    while header and header[-1] == "":
        header.pop()
    expected = [_norm(h) for _k, h in columns]
    if header == expected:
        return None
    missing = [h for _k, h in columns if _norm(h) not in header]
    extra = [h for h in header if h and h not in expected]
    detail = []
    if missing:
        detail.append(_("missing: %(cols)s") % {"cols": ", ".join(missing)})
    if extra:
        detail.append(_("not in the template: %(cols)s") % {"cols": ", ".join(extra)})
    if not detail:
        detail.append(_("the columns are in another order"))
    return _("The columns are not the template's (%(detail)s); nothing was read.") % {
        "detail": "; ".join(detail)
    }


def read_template(
    content: bytes,
    *,
    sheet: str,
    columns: Sequence[tuple[str, str]],
    cell: Callable[[str, Any], Any],
    error: Callable[..., Exception],
    max_rows: int,
    too_many: str,
    missing_sheet: str,
    check_header: bool = True,
    multiline: bool = False,
) -> list[dict[str, Any]]:
    """The rows of a filled template as dicts keyed by ``columns``' keys (and ``_row``,
    the row number in the file), or ``error(errors=[...])`` listing every problem.

    ``too_many`` and ``missing_sheet`` are the caller's messages (they name what the file
    holds: members, items, rows; ``too_many`` takes ``%(n)d``). ``multiline``: whether a
    cell may hold a line break (Alt+Enter). Nothing here writes.
    """
    if len(content) > MAX_BYTES:
        raise error(errors=[(0, "file", _("The file is too large (at most 5 MB)."))])
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError):
        raise error(
            errors=[(0, "file", _("This is not an Excel (.xlsx) file made from the template."))]
        ) from None
    try:
        if sheet not in wb.sheetnames:
            raise error(errors=[(0, "file", missing_sheet)])
        lines = wb[sheet].iter_rows(values_only=True)
        header = next(lines, ())
        if check_header and (problem := header_problem(header or (), columns)) is not None:
            raise error(errors=[(1, "file", problem)])
        rows: list[dict[str, Any]] = []
        refused: list[Problem] = []
        for n, values in enumerate(lines, start=2):
            cells = list(values or ())[: len(columns)]
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            if len(rows) >= max_rows:
                raise error(errors=[(n, "file", too_many % {"n": max_rows})])
            cells += [None] * (len(columns) - len(cells))
            data: dict[str, Any] = {"_row": n}
            for (key, _h), raw in zip(columns, cells, strict=True):
                value = cell(key, raw)
                if isinstance(value, str):
                    found = first_refused(value, multiline=multiline)
                    if found is not None:
                        refused.append((n, key, refused_message(TextError(found))))
                data[key] = value
            rows.append(data)
    finally:
        wb.close()
    if refused:
        raise error(errors=refused)
    return rows
