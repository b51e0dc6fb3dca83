"""PDFs are opened by a real parser (qpdf): active content, encryption and damage are refused,
and what is kept is qpdf's rewrite of the document without its metadata.

Every sample is a real PDF written by pikepdf, with the active content put where a PDF reader
would act on it."""

from __future__ import annotations

import io
import time
import zlib

import pikepdf
import pytest

from .helpers import MiB, inspect, refusal
from .samples import SECRET, pdf_document

JS = pikepdf.String("app.alert('hello')")


def _action(kind: str, **fields) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name("/" + kind), **fields)


def _link(pdf: pikepdf.Pdf, action: pikepdf.Dictionary) -> None:
    """A clickable area on the first page that runs ``action``."""
    annotation = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[0, 0, 100, 100],
            A=action,
        )
    )
    pdf.pages[0].Annots = pdf.make_indirect([annotation])


def open_action_script(pdf):
    pdf.Root.OpenAction = _action("JavaScript", JS=JS)


def document_level_script(pdf):
    names = pikepdf.Dictionary(Names=[pikepdf.String("init"), _action("JavaScript", JS=JS)])
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pdf.make_indirect(names))


def page_opening_script(pdf):
    pdf.pages[0].AA = pikepdf.Dictionary(O=_action("JavaScript", JS=JS))


def open_action_launch(pdf):
    pdf.Root.OpenAction = _action("Launch", F=pikepdf.String("calc.exe"))


def link_launching_a_program(pdf):
    _link(pdf, _action("Launch", F=pikepdf.String("cmd.exe")))


def link_submitting_a_form(pdf):
    _link(pdf, _action("SubmitForm", F=pikepdf.String("https://example.invalid/collect")))


def link_to_an_embedded_document(pdf):
    _link(pdf, _action("GoToE", D=[0, pikepdf.Name.Fit]))


def attached_file(pdf):
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ program")


def file_attachment_annotation(pdf):
    spec = pikepdf.AttachedFileSpec(pdf, b"hidden", filename="notes.txt")
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FileAttachment,
        Rect=[0, 0, 10, 10],
        FS=spec.obj,
    )
    pdf.pages[0].Annots = pdf.make_indirect([pdf.make_indirect(annotation)])


def xfa_form(pdf):
    xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=xfa)


def script_in_a_compressed_object_stream(pdf):
    # Saved with object streams: the action's names are inside Flate-compressed data, where a
    # scan of the file's bytes never sees them.
    pdf.Root.OpenAction = pdf.make_indirect(_action("JavaScript", JS=JS))


ACTIVE = [
    open_action_script,
    document_level_script,
    page_opening_script,
    open_action_launch,
    link_launching_a_program,
    link_submitting_a_form,
    link_to_an_embedded_document,
    attached_file,
    file_attachment_annotation,
    xfa_form,
]


@pytest.mark.parametrize("change", ACTIVE, ids=lambda f: f.__name__)
def test_pdf_with_active_content_is_refused(change):
    error = refusal(pdf_document(change=change), "cv.pdf")
    assert error.code == "pdf_active_content"
    assert str(error.message) == (
        "PDF files with scripts, actions or attachments cannot be uploaded."
    )


def test_script_inside_a_compressed_object_stream_is_found():
    pdf = pikepdf.open(io.BytesIO(pdf_document()))
    script_in_a_compressed_object_stream(pdf)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    data = out.getvalue()
    assert b"JavaScript" not in data  # invisible to a byte scan
    assert refusal(data, "cv.pdf").code == "pdf_active_content"


def test_script_removed_in_a_later_revision_is_gone_from_the_kept_copy():
    """An incremental update that drops the script: readers follow the latest revision, and
    the kept copy is rewritten from it, so the old revision's bytes are not kept either."""
    original = pdf_document(change=open_action_script)
    pdf = pikepdf.open(io.BytesIO(original))
    del pdf.Root["/OpenAction"]
    update = io.BytesIO()
    pdf.save(update)
    with inspect(update.getvalue(), "cv.pdf") as result:
        kept = result.content.read()
    assert b"app.alert" not in kept


@pytest.mark.parametrize(
    "encryption",
    [
        pikepdf.Encryption(owner="owner secret", user="open me"),  # needs a password to open
        pikepdf.Encryption(owner="owner secret", user=""),  # opens, but restricted
    ],
    ids=["user_password", "owner_password_only"],
)
def test_encrypted_pdfs_are_refused(encryption):
    pdf = pikepdf.open(io.BytesIO(pdf_document()))
    out = io.BytesIO()
    pdf.save(out, encryption=encryption)
    assert refusal(out.getvalue(), "cv.pdf").code == "pdf_encrypted"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"\x00garbage that is no PDF at all " * 20,
        b"%PDF-1.7\n%%EOF\n",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << >>\n%%EOF\n",
    ],
    ids=["garbage", "empty", "catalog_without_pages"],
)
def test_damaged_pdfs_are_refused_with_a_clear_error(data):
    error = refusal(data, "cv.pdf")
    assert error.code == "pdf_unreadable"
    assert str(error.message) == "This PDF is damaged or could not be read."


def test_harmless_actions_and_links_are_accepted():
    def harmless(pdf):
        pdf.Root.OpenAction = [pdf.pages[0].obj, pikepdf.Name.Fit]  # open at page one
        _link(pdf, _action("URI", URI=pikepdf.String("https://example.org/")))

    with inspect(pdf_document(change=harmless), "cv.pdf") as result:
        kept = pikepdf.open(result.content)
        assert kept.pages[0].Annots[0].A.URI == "https://example.org/"


def test_metadata_is_gone_and_the_pages_are_kept():
    data = pdf_document(pages=3)
    assert SECRET.encode() in data
    with inspect(data, "CV.pdf") as result:
        kept = result.content.read()
        assert result.mime_type == "application/pdf" and result.metadata_removed
        assert result.size == len(kept) and result.received_size == len(data)
    assert SECRET.encode() not in kept
    reopened = pikepdf.open(io.BytesIO(kept))
    assert len(reopened.pages) == 3
    assert "/Info" not in reopened.trailer and "/Metadata" not in reopened.Root
    assert SECRET not in str(reopened.open_metadata())


def test_too_many_objects_is_refused():
    data = pdf_document(pages=30)
    assert refusal(data, "cv.pdf", pdf_max_objects=40).code == "pdf_too_complex"
    with inspect(data, "cv.pdf", pdf_max_objects=200):
        pass


def test_a_compression_bomb_inside_is_copied_not_unpacked():
    """512 MiB of zeros in a stream of about half a megabyte: kept as it is, quickly."""
    packer = zlib.compressobj(9)
    bomb = b"".join(packer.compress(bytes(MiB)) for _ in range(512)) + packer.flush()

    def add_bomb(pdf):
        stream = pikepdf.Stream(pdf, bomb)
        stream.Filter = pikepdf.Name.FlateDecode
        pdf.Root.Bomb = pdf.make_indirect(stream)

    data = pdf_document(change=add_bomb)
    started = time.monotonic()
    with inspect(data, "cv.pdf") as result:
        assert result.size < len(data) + 10_000
    assert time.monotonic() - started < 5


RSS_SCRIPT = """
import io, os, resource, sys
import django
django.setup()
from mentorhaven.files.validation import inspect_upload
path, limit = sys.argv[1], int(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open(path, "rb") as upload:
    with inspect_upload(upload, declared_name="big.pdf", max_bytes=limit) as result:
        size = result.size
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(grown * 1024, size)
"""


def test_memory_for_a_pdf_is_bounded_by_its_largest_stream(tmp_path):
    """qpdf holds one stream at a time while it writes the copy (to write its length first), so
    the memory a PDF costs grows with its largest stream, never beyond about twice the upload
    limit. Measured in a process of its own (peak resident memory)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    pdf = pikepdf.open(io.BytesIO(pdf_document()))
    pdf.Root.Blob = pdf.make_indirect(pikepdf.Stream(pdf, os.urandom(16 * MiB)))
    path = tmp_path / "big.pdf"
    pdf.save(path)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mentorhaven.settings"}
    result = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(path), str(32 * MiB)],
        cwd=settings.PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    grown, size = map(int, result.stdout.split()[-2:])
    assert size > 16 * MiB
    assert grown < 2.5 * 16 * MiB + 8 * MiB, f"grew {grown / MiB:.0f} MiB"
