"""Property-based tests of the office-document (zip) checks.

Hypothesis writes office documents header by header: valid ones, and ones changed in one way —
local headers that disagree with the central directory (name, sizes, checksum, compression
method, flags), directory records pointing elsewhere, overlapping entries, entries hidden
between others, too many entries, entries compressed too well, nested archives, truncation,
bytes after the end. The validator must accept exactly the valid ones and refuse every other
with a clear ``ValidationFailed``; it never fails with any other exception, and whatever it
accepts, an independent reading of the headers (below, written without the validator's code)
finds every local header in agreement with its directory record and the entries laid end to
end, so that every zip reader sees the same files.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mentorhaven.kernel.errors import ValidationFailed

from .helpers import inspect
from .samples import MAIN_PARTS, content_types

LOCAL = struct.Struct("<4s5H3I2H")  # local file header, 30 bytes
CENTRAL = struct.Struct("<4s6H3I5H2I")  # central directory record, 46 bytes
END = struct.Struct("<4s4H2IH")  # end of central directory, 22 bytes
STORED, DEFLATED = 0, 8
DESCRIPTOR_FLAG = 0x8
DISAGREE = {"archive_inconsistent", "archive_unreadable"}
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("MH_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass
class Entry:
    name: str
    data: bytes
    method: int = DEFLATED
    descriptor: bool = False  # sizes and checksum in a data descriptor after the data

    @property
    def packed(self) -> bytes:
        if self.method == STORED:
            return self.data
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        return packer.compress(self.data) + packer.flush()


@dataclass
class Layout:
    """Where each part of a written archive is, so a test can change exactly one field."""

    data: bytearray
    locals: list[int]  # offset of each local header
    centrals: list[int]  # offset of each directory record
    directory: int  # offset of the central directory
    end: int  # offset of the end record


def write(entries: list[Entry]) -> Layout:
    """A zip written field by field, as the specification lays it out."""
    out = bytearray()
    locals_, records = [], []
    for entry in entries:
        name, packed, crc = entry.name.encode(), entry.packed, zlib.crc32(entry.data)
        flags = DESCRIPTOR_FLAG if entry.descriptor else 0
        sizes = (0, 0, 0) if entry.descriptor else (crc, len(packed), len(entry.data))
        locals_.append(len(out))
        out += LOCAL.pack(b"PK\x03\x04", 20, flags, entry.method, 0, 0x21, *sizes, len(name), 0)
        out += name + packed
        if entry.descriptor:
            out += struct.pack("<4s3I", b"PK\x07\x08", crc, len(packed), len(entry.data))
        records.append((name, flags, entry.method, crc, len(packed), len(entry.data)))
    directory, centrals = len(out), []
    for (name, flags, method, crc, csize, usize), offset in zip(records, locals_, strict=True):
        centrals.append(len(out))
        out += CENTRAL.pack(
            b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, csize, usize, len(name),
            0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        out += name
    end = len(out)
    count = len(entries)
    out += END.pack(b"PK\x05\x06", 0, 0, count, count, end - directory, directory, 0)
    return Layout(out, locals_, centrals, directory, end)


def rebuild_end(layout: Layout, *, count: int | None = None) -> None:
    data = layout.data
    count = len(layout.centrals) if count is None else count
    data[layout.end :] = END.pack(
        b"PK\x05\x06", 0, 0, count, count, layout.end - layout.directory, layout.directory, 0
    )


# --- an independent reading of the headers ------------------------------------------------------


def headers_agree(data: bytes) -> bool:
    """Every directory record's local header repeats it, and the entries with their data (and
    descriptors) fill the file from its start to the directory without gap or overlap."""
    (signature, _d, _c, count, total, size, directory, comment) = END.unpack(data[-22:])
    if (
        signature != b"PK\x05\x06"
        or comment
        or count != total
        or directory + size != len(data) - 22
    ):
        return False
    position, spans = directory, []
    for _ in range(count):
        record = CENTRAL.unpack(data[position : position + 46])
        flags, method, crc, csize, usize, name_length = record[3], record[4], *record[7:11]
        extra_length, comment_length, offset = record[11], record[12], record[16]
        name = data[position + 46 : position + 46 + name_length]
        position += 46 + name_length + extra_length + comment_length
        local = LOCAL.unpack(data[offset : offset + 30])
        if local[0] != b"PK\x03\x04" or local[2] != flags or local[3] != method:
            return False
        local_name = data[offset + 30 : offset + 30 + local[9]]
        start = offset + 30 + local[9] + local[10]
        end = start + csize
        if local_name != name:
            return False
        if flags & DESCRIPTOR_FLAG:
            tail = data[end : end + 16]
            descriptor = tail[4:16] if tail[:4] == b"PK\x07\x08" else tail[:12]
            if struct.unpack("<3I", descriptor) != (crc, csize, usize):
                return False
            end += 16 if tail[:4] == b"PK\x07\x08" else 12
        elif local[6:9] != (crc, csize, usize):
            return False
        spans.append((offset, end))
    spans.sort()
    edges = [0] + [e for _, e in spans]
    starts = [s for s, _ in spans] + [directory]
    return position == len(data) - 22 and edges == starts


# --- what hypothesis draws ----------------------------------------------------------------------

safe_names = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12),
    min_size=1,
    max_size=3,
).map(lambda parts: "word/" + "/".join(parts) + ".xml")
xml_bodies = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="<&"),
    max_size=300,
).map(lambda text: f"<p>{text}</p>".encode())


@st.composite
def documents(draw) -> list[Entry]:
    """A valid .docx: its manifest and main part, then up to five parts of plain XML, each
    stored or deflated, some with data descriptors."""
    main_part, main_type = MAIN_PARTS["docx"]
    methods = st.sampled_from([STORED, DEFLATED])
    entries = [
        Entry("[Content_Types].xml", content_types(main_part, main_type), draw(methods)),
        Entry(main_part, b"<document>Goals for term 2</document>", draw(methods)),
    ]
    names = draw(st.lists(safe_names, max_size=5, unique_by=str.casefold))
    for name in names:
        assume(name.casefold() != main_part.casefold())
        entries.append(Entry(name, draw(xml_bodies), draw(methods), draw(st.booleans())))
    return entries


def outcome(data: bytes, **limits) -> str:
    """ "accepted" or the refusal's code. Any other exception fails the test."""
    try:
        with inspect(data, "plan.docx", **limits) as result:
            assert result.kind.key == "docx"
            return "accepted"
    except ValidationFailed as refused:
        assert refused.code and str(refused.message)
        return refused.code


# --- the properties -----------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(documents())
def test_valid_documents_are_accepted(entries):
    data = bytes(write(entries).data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # a zip reader agrees the archive is sound
    assert headers_agree(data)
    assert outcome(data) == "accepted"


LOCAL_FIELDS = {
    "name": 30,  # first byte of the name
    "method": 8,
    "flags": 6,
    "crc": 14,
    "compressed size": 18,
    "size": 22,
}


@PROPERTY_SETTINGS
@given(documents(), st.data())
def test_a_local_header_disagreeing_with_the_directory_is_refused(entries, draw):
    layout = write(entries)
    index = draw.draw(st.integers(0, len(entries) - 1), label="entry")
    field = draw.draw(st.sampled_from(sorted(LOCAL_FIELDS)), label="field")
    at = layout.locals[index] + LOCAL_FIELDS[field]
    data = layout.data
    if field == "name":
        data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    elif field == "method":
        data[at : at + 2] = struct.pack("<H", STORED if data[at] == DEFLATED else DEFLATED)
    elif field == "flags":
        data[at] ^= DESCRIPTOR_FLAG
    else:
        (value,) = struct.unpack("<I", data[at : at + 4])
        delta = draw.draw(st.integers(1, 2**31), label="delta")
        data[at : at + 4] = struct.pack("<I", (value + delta) % 2**32)
        assume(not entries[index].descriptor)  # those sizes are zero and not read
    assert not headers_agree(bytes(data))
    assert outcome(bytes(data)) in DISAGREE


@PROPERTY_SETTINGS
@given(documents(), st.data())
def test_a_directory_record_pointing_elsewhere_is_refused(entries, draw):
    layout = write(entries)
    index = draw.draw(st.integers(0, len(entries) - 1), label="entry")
    at = layout.centrals[index] + 42
    (offset,) = struct.unpack("<I", layout.data[at : at + 4])
    moved = draw.draw(
        st.integers(0, layout.directory + 50).filter(lambda o: o != offset), label="offset"
    )
    layout.data[at : at + 4] = struct.pack("<I", moved)
    assert outcome(bytes(layout.data)) in DISAGREE


@PROPERTY_SETTINGS
@given(documents(), st.data())
def test_a_second_record_for_the_same_data_is_refused(entries, draw):
    """Two directory records sharing one local header (the overlapping-entry bomb): renamed,
    so each name is unique."""
    layout = write(entries)
    index = draw.draw(st.integers(0, len(entries) - 1), label="entry")
    start = layout.centrals[index]
    stop = layout.centrals[index + 1] if index + 1 < len(entries) else layout.end
    copy = bytearray(layout.data[start:stop])
    copy[46:47] = b"Z"  # "Zord/…" or "Z_Content_Types…": another name, the same data
    layout.data[layout.end : layout.end] = copy
    layout.centrals.append(layout.end)
    layout.end += len(copy)
    rebuild_end(layout)
    assert not headers_agree(bytes(layout.data))
    assert outcome(bytes(layout.data)) in DISAGREE


@PROPERTY_SETTINGS
@given(documents(), st.data())
def test_an_entry_hidden_between_two_others_is_refused(entries, draw):
    """Bytes between entries that no directory record accounts for: a reader walking the local
    headers one after another would find a file the directory does not list."""
    assume(len(entries) >= 2)
    layout = write(entries)
    index = draw.draw(st.integers(1, len(entries) - 1), label="after entry")
    hidden = write([Entry("word/vbaProject.bin", b"macro", STORED)])
    smuggled = bytes(hidden.data[: hidden.directory])
    at = layout.locals[index]
    data = layout.data
    data[at:at] = smuggled
    for record in layout.centrals:  # every record from here on moves, and so does its target
        position = record + len(smuggled)
        (offset,) = struct.unpack("<I", data[position + 42 : position + 46])
        if offset >= at:
            data[position + 42 : position + 46] = struct.pack("<I", offset + len(smuggled))
    layout.centrals = [c + len(smuggled) for c in layout.centrals]
    layout.directory += len(smuggled)
    layout.end += len(smuggled)
    rebuild_end(layout)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.testzip() is None  # zip readers that trust the directory accept it
    assert not headers_agree(bytes(data))
    assert outcome(bytes(data)) in DISAGREE


@PROPERTY_SETTINGS
@given(documents(), st.integers(0, 4))
def test_more_entries_than_the_limit_is_refused(entries, below):
    data = bytes(write(entries).data)
    limit = len(entries) - 1 - below
    assume(limit >= 1)
    assert outcome(data, zip_max_entries=limit) == "archive_too_many_entries"
    assert outcome(data, zip_max_entries=len(entries)) == "accepted"


@PROPERTY_SETTINGS
@given(documents(), st.integers(4_000, 60_000), st.sampled_from([b"\x00", b"a", b"<p/>"]))
def test_an_entry_compressed_beyond_the_ratio_is_refused(entries, size, unit):
    entries.append(Entry("word/media/filler.xml", (unit * size)[:size], DEFLATED))
    data = bytes(write(entries).data)
    limits = {"zip_ratio_floor_bytes": 1024, "zip_max_entry_ratio": 20}
    assert outcome(data, **limits) == "archive_ratio"
    assert outcome(data, zip_ratio_floor_bytes=10 * size) == "accepted"


@PROPERTY_SETTINGS
@given(documents(), documents(), st.sampled_from(["word/media/image1.png", "word/inner.xml"]))
def test_an_archive_inside_is_refused(entries, inner, name):
    entries.append(Entry(name, bytes(write(inner).data), STORED))
    assert outcome(bytes(write(entries).data)) == "archive_nested"


@PROPERTY_SETTINGS
@given(documents(), st.data())
def test_a_truncated_document_is_refused(entries, draw):
    data = bytes(write(entries).data)
    cut = draw.draw(st.integers(31, len(data) - 1), label="cut at")
    assert outcome(data[:cut]) in DISAGREE | {"file_type_not_allowed"}


@PROPERTY_SETTINGS
@given(documents(), st.binary(min_size=1, max_size=64))
def test_bytes_after_the_end_record_are_refused(entries, tail):
    data = bytes(write(entries).data) + tail
    assert outcome(data) in DISAGREE


@PROPERTY_SETTINGS
@given(documents(), st.data())
def test_damaged_bytes_are_refused_or_leave_headers_that_agree(entries, draw):
    """Anything at all: a few bytes changed anywhere. The validator never crashes, and what it
    accepts has local headers that repeat the directory and entries laid end to end."""
    data = write(entries).data
    for _ in range(draw.draw(st.integers(1, 4), label="changes")):
        at = draw.draw(st.integers(0, len(data) - 1), label="at")
        data[at] = draw.draw(st.integers(0, 255), label="byte")
    result = outcome(bytes(data))
    if result == "accepted":
        assert headers_agree(bytes(data))
