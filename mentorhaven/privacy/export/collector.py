"""Build a person's data export: ask every registered section, stream everything into a ZIP.

The archive::

    index.html           what this is, then one entry per section: what it holds, why we keep it,
                         who sees it, how long, where it comes from (from the data inventory)
    data/<key>.json      {"section", "title", "about": {...}, "records": [...]} per section
    html/<key>.html      the same records, readable in a browser
    files/<id>/<name>    the content of files, decrypted
    manifest.json        every file above with its size and SHA-256
    manifest.sig         the manifest's Ed25519 signature (manifest.py)

Everything is written as it is produced: rows are read from the database in batches and each one
is written to the ZIP (and from there to the sealing writer) before the next is read, so memory
stays flat whatever the number of messages (``benchmarks/bench_export.py`` measures it).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel.inventory import LAWFUL_BASES, declaration_for
from mentorhaven.privacy.export import manifest as manifest_module
from mentorhaven.privacy.export.registry import ExportContext, Section, sections

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

ROLE_WORDS = {
    "self": "you",
    "mentor": "your mentor",
    "mentee": "your mentee",
    "program_peer": "people in your programs",
    "program_admin": "program admins",
    "org_admin": "organization admins",
    "auditor": "auditors",
    "security_officer": "security officers",
}

Progress = Callable[[int, int, str], None]
WRITE_BLOCK = 64 * 1024


class _HashingWriter:
    """Counts and hashes what goes into one ZIP entry, for the manifest."""

    def __init__(self, target: IO[bytes]):
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)


@dataclass
class ArchiveStats:
    records: dict[str, int] = field(default_factory=dict)
    files: int = 0
    manifest_sha256: str = ""


def about(section: Section) -> dict[str, Any]:
    """A section's purpose, recipients, retention, lawful basis and source, from the inventory
    declarations of the models it writes."""
    purposes: list[str] = []
    recipients: list[str] = []
    retention: list[str] = []
    bases: list[str] = []
    sources: list[str] = []
    records: list[str] = []
    for model in section.models:
        declaration = declaration_for(model)
        if declaration is None:
            continue
        if declaration.record:
            records.append(declaration.record)
        source = getattr(declaration, "source", "")
        if source:
            sources.append(str(source))
        for f in declaration.fields.values():
            purposes.append(f.purpose)
            recipients += [ROLE_WORDS.get(r, r) for r in f.visible_to]
            retention.append(f.retention)
            bases.append(LAWFUL_BASES.get(f.basis, f.basis))
    if not sources and section.source:
        sources.append(str(section.source))

    def unique(values: list[str]) -> list[str]:
        return list(dict.fromkeys(v for v in values if v))

    return {
        "records": unique(records),
        "purpose": unique(purposes),
        "recipients": unique(recipients),
        "retention": unique(retention),
        "lawful_basis": unique(bases),
        "source": unique(sources),
    }


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return html.escape(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
    if value is None:
        return ""
    return html.escape(str(value))


class _ArchiveWriter:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.listed: list[dict[str, Any]] = []

    def entry(self, path: str, pieces: Iterable[bytes]) -> None:
        with self.archive.open(path, "w", force_zip64=True) as member:
            writer = _HashingWriter(member)
            # Rows are small: gather them into blocks, so that compressing, sealing and hashing
            # run once per block rather than once per row (a third of the build's time).
            block: list[bytes] = []
            held = 0
            for piece in pieces:
                block.append(piece)
                held += len(piece)
                if held >= WRITE_BLOCK:
                    writer.write(b"".join(block))
                    block, held = [], 0
            if block:
                writer.write(b"".join(block))
        self.listed.append({"path": path, "size": writer.size, "sha256": writer.digest.hexdigest()})


def _json_pieces(
    section: Section, context: ExportContext, info: dict, counter: list[int]
) -> Iterable[bytes]:
    """The JSON of one section, row by row."""
    head = {"section": section.key, "title": str(section.title), "about": info}
    opening = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    yield (opening + ',\n "records": [\n').encode()
    first = True
    for row in section.rows(context):
        text = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        yield (("  " if first else ",\n  ") + text).encode()
        first = False
        counter[0] += 1
    yield b"\n ]\n}\n"


def _html_pieces(section: Section, context: ExportContext, info: dict) -> Iterable[bytes]:
    """The same rows as a table. A second pass over the database rather than a copy of the
    first: the ZIP takes one entry at a time, and spooling the rows would put plaintext on disk
    or hold them all in memory."""
    yield _html_page(str(section.title), info).encode()
    columns: list[str] | None = None
    for row in section.rows(context):
        if columns is None:
            columns = list(row)
            yield (
                "<tr>" + "".join(f"<th scope=col>{html.escape(c)}</th>" for c in columns) + "</tr>"
            ).encode()
        cells = "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns)
        yield f"<tr>{cells}</tr>\n".encode()
    yield b"</table></html>\n"


def _html_page(title: str, info: dict) -> str:
    rows = "".join(
        f"<tr><th scope=row>{html.escape(k.replace('_', ' '))}</th>"
        f"<td>{html.escape('; '.join(v))}</td></tr>"
        for k, v in info.items()
    )
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
        f"<p><a href=../index.html>{html.escape(_('Back to the index'))}</a></p>"
        f"<table>{rows}</table><table>"
    )


def write_archive(
    user: User, target: IO[bytes] | io.RawIOBase, *, progress: Progress | None = None
) -> ArchiveStats:
    """Write the export of ``user`` as a ZIP into ``target`` (any writable stream, seekable or
    not). Records the reads of other people's data it includes; returns what it wrote."""
    context = ExportContext(user=user)
    stats = ArchiveStats()
    found = sections()
    created_at = timezone.now()
    index_entries = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        writer = _ArchiveWriter(archive)
        for number, section in enumerate(found):
            if progress is not None:
                progress(number, len(found), section.key)
            info = about(section)
            counter = [0]
            writer.entry(f"data/{section.key}.json", _json_pieces(section, context, info, counter))
            writer.entry(f"html/{section.key}.html", _html_pieces(section, context, info))
            for blob in section.blobs(context) if section.blobs is not None else ():
                writer.entry(blob.path, blob.chunks())
                stats.files += 1
            stats.records[section.key] = counter[0]
            index_entries.append(
                {
                    "key": section.key,
                    "title": str(section.title),
                    "about": info,
                    "count": counter[0],
                }
            )
        page = render_to_string(
            "privacy/export_index.html",
            {"user": user, "created_at": created_at, "sections": index_entries},
        )
        writer.entry("index.html", [page.encode()])
        manifest = manifest_module.manifest_bytes(
            subject=str(user.public_id), created_at=created_at.isoformat(), files=writer.listed
        )
        archive.writestr(manifest_module.MANIFEST, manifest)
        archive.writestr(manifest_module.SIGNATURE, manifest_module.signature_bytes(manifest))
        stats.manifest_sha256 = hashlib.sha256(manifest).hexdigest()
    context.record_reads(purpose="Include in a data export requested by the person")
    if progress is not None:
        progress(len(found), len(found), "")
    return stats
