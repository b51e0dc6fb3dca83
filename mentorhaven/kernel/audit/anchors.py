"""The anchor store: every checkpoint, also kept outside the database.

Someone holding the database's credentials (or its owner's) can delete the newest events
together with the newest checkpoint rows, or rewrite the chain and drop every checkpoint it no
longer matches. They cannot reach the anchors: each checkpoint (seq, head hash, time, key id,
Ed25519 signature) is appended as one JSON line to ``anchors.jsonl`` in ``AUDIT_ANCHOR_DIR``
(default ``var/audit-anchors/``; point it at other storage: another disk, a mounted share, a
write-once bucket), opened append-only, fsync'd, mode 0600. ``verify`` compares the chain with
it.

Optional copies leave the machine: ``AUDIT_ANCHOR_WEBHOOK`` (each anchor POSTed as JSON) and
``AUDIT_ANCHOR_EMAIL`` (pending anchors mailed to an auditor). Each sink remembers the last seq
it delivered (``<sink>.delivered`` beside the file); a failure is logged and retried later from
the file, so the file anchor is never lost and nothing is skipped.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from mentorhaven.kernel.audit import keys

if TYPE_CHECKING:
    from mentorhaven.kernel.models import AuditCheckpoint

logger = logging.getLogger(__name__)

FILE_NAME = "anchors.jsonl"
RETRY_SECONDS = 60.0
WEBHOOK_TIMEOUT = 10.0


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    signed_at: str  # keys.format_time: what the signature covers
    key_id: str
    signature: str

    @classmethod
    def of(cls, cp: AuditCheckpoint) -> Anchor:
        return cls(cp.seq, cp.hash, keys.format_time(cp.signed_at), cp.key_id, cp.signature)

    @property
    def time(self) -> datetime:
        return datetime.strptime(self.signed_at, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def signature_valid(self, ring: keys.KeyRing) -> bool:
        return keys.signature_valid(
            self.seq, self.hash, self.time, self.key_id, self.signature, ring
        )


def directory() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR)


def _write_line(path: Path, line: str) -> None:
    """Append one line: O_APPEND (concurrent writers never overwrite each other), fsync'd."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        data = line.encode() + b"\n"
        if not created and os.fstat(fd).st_size and not _ends_with_newline(path):
            data = b"\n" + data  # a line torn by a crash stays apart from this one
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # the new directory entry must survive a crash too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def append(cp: AuditCheckpoint) -> None:
    """Anchor one checkpoint (an ``AuditCheckpoint``): the file first, then the optional sinks."""
    _write_line(directory() / FILE_NAME, Anchor.of(cp).line())
    deliver()


def read_store() -> tuple[list[Anchor], list[int]]:
    """(every anchor in file order, numbers of the lines that do not parse). A line torn by a
    crash is unreadable; ``verify`` reports it rather than failing on it forever."""
    path = directory() / FILE_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    found, unreadable = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            fields = json.loads(raw)
            found.append(
                Anchor(
                    int(fields["seq"]),
                    str(fields["hash"]),
                    str(fields["signed_at"]),
                    str(fields["key_id"]),
                    str(fields["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            unreadable.append(number)
    return found, unreadable


def read() -> list[Anchor]:
    return read_store()[0]


def catch_up() -> int:
    """Anchor the signed checkpoints the store lacks (a crash between the database row and the
    file line). Only checkpoints with a valid signature are anchored. Returns how many."""
    from mentorhaven.kernel.models import AuditCheckpoint

    newest = max((a.seq for a in read()), default=0)
    ring = keys.key_ring()
    added = 0
    for cp in AuditCheckpoint.objects.filter(seq__gt=newest).order_by("seq"):
        if keys.signature_valid(cp.seq, cp.hash, cp.signed_at, cp.key_id, cp.signature, ring):
            _write_line(directory() / FILE_NAME, Anchor.of(cp).line())
            added += 1
    if added:
        deliver()
    return added


# --- optional sinks: a webhook, an auditor's mailbox --------------------------------------------


def _post(anchors: list[Anchor]) -> None:
    url = str(settings.AUDIT_ANCHOR_WEBHOOK)
    for anchor in anchors:
        request = urllib.request.Request(  # noqa: S310 (settings allow http(s) URLs only)
            url,
            data=anchor.line().encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise OSError(f"the anchor webhook answered {response.status}")


def _mail(anchors: list[Anchor]) -> None:
    from django.core.mail import send_mail

    body = (
        "MentorHaven signed its audit log. Keep these lines: `mentorhaven audit verify` can be\n"
        "compared with them. Each is one checkpoint (event number, head hash, time, key, "
        "signature).\n\n" + "\n".join(a.line() for a in anchors) + "\n"
    )
    subject = f"MentorHaven audit checkpoint {anchors[-1].seq}"
    send_mail(subject, body, None, [str(settings.AUDIT_ANCHOR_EMAIL)], fail_silently=False)


SINKS = {"webhook": ("AUDIT_ANCHOR_WEBHOOK", _post), "email": ("AUDIT_ANCHOR_EMAIL", _mail)}
_retry_at: dict[str, float] = {}  # sink → when to try again after a failure (this process)


def _delivered(name: str) -> int:
    try:
        return int((directory() / f"{name}.delivered").read_text().strip() or 0)
    except FileNotFoundError:
        return 0


def _mark_delivered(name: str, seq: int) -> None:
    path = directory() / f"{name}.delivered"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"{seq}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def deliver(*, retrying: bool = False) -> None:
    """Send each configured sink the anchors it has not had yet. Never raises: a failure is
    logged and retried (``retrying=True``, from the sealer's loop) after RETRY_SECONDS."""
    for name, (setting, send) in SINKS.items():
        if not getattr(settings, setting, None):
            continue
        if retrying and time.monotonic() < _retry_at.get(name, 0.0):
            continue
        try:
            done = _delivered(name)
            pending = sorted({a.seq: a for a in read() if a.seq > done}.values(), key=_seq)
            if pending:
                send(pending)
                _mark_delivered(name, pending[-1].seq)
            _retry_at.pop(name, None)
        except Exception:
            _retry_at[name] = time.monotonic() + RETRY_SECONDS
            logger.warning(
                "audit anchor %s delivery failed; the file anchor is kept and delivery is "
                "retried in %d s",
                name,
                RETRY_SECONDS,
                exc_info=True,
            )


def retry_due() -> bool:
    """Whether a failed sink is waiting for its next try."""
    return any(time.monotonic() >= at for at in _retry_at.values())


def _seq(anchor: Anchor) -> int:
    return anchor.seq
