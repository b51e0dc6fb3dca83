"""The dashboard's figures as a file: CSV or a one-page-per-50-lines PDF.

Only what the dashboard releases goes out (``rows`` reads a ``Health``, never the database):
no response, no free text, no figure about fewer than ``k`` people, for any role.
"""

from __future__ import annotations

import csv
import io

import pikepdf
from django.utils.translation import gettext as _

from mentorhaven.reporting.dashboard import Health
from mentorhaven.reporting.domain import Band

HIDDEN = "hidden"


def _count(value: int | None) -> str:
    return HIDDEN if value is None else str(value)


def _rate(value: Band | None) -> str:
    return HIDDEN if value is None else f"{value.low * 100:.0f}-{value.high * 100:.0f} %"


def _mean(value: Band | None) -> str:
    return HIDDEN if value is None else str(value)


def rows(health: Health) -> list[tuple[str, str, str]]:
    """(section, figure, value) for every released figure, in the dashboard's order; a hidden
    figure says so."""
    out: list[tuple[str, str, str]] = [("policy", "k", str(health.k))]
    for name, table in (
        ("participants", health.participants),
        ("relationships", health.relationships),
    ):
        for label, value in table.cells.items():
            out.append((name, label, _count(None if table.suppressed else value)))
        out.append((name, "total", _count(None if table.suppressed else table.total)))
    out += [
        ("rates", "match_rate", _rate(health.match_rate)),
        ("rates", "goal_completion", _rate(health.goal_completion)),
        ("means", "meetings_per_pair", _mean(health.meetings_per_pair)),
        ("means", "satisfaction", _mean(health.satisfaction)),
    ]
    for trend in health.trends:
        out += [(f"trend_{trend.key}", month, _count(v)) for month, v in trend.points]
    return out


def as_csv(health: Health) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "figure", "value"])
    writer.writerows(rows(health))
    return buffer.getvalue()


LINES_PER_PAGE = 50


def _pdf_text(text: str) -> bytes:
    encoded = text.encode("cp1252", "replace")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def as_pdf(health: Health, *, title: str) -> bytes:
    """A plain PDF of the same rows (Helvetica, A4), built with pikepdf (already a dependency
    for checking uploads), one page per ``LINES_PER_PAGE`` lines."""
    lines = [title, _("Smallest group shown: %(k)d people") % {"k": health.k}, ""]
    lines += [f"{section}  {figure}: {value}" for section, figure, value in rows(health)]
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    for start in range(0, len(lines), LINES_PER_PAGE):
        body = b"BT /F1 10 Tf 14 TL 50 800 Td "
        body += b"".join(
            b"(" + _pdf_text(line) + b") Tj T* " for line in lines[start : start + LINES_PER_PAGE]
        )
        body += b"ET"
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(body),
        )
        pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
