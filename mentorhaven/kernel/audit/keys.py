"""Ed25519 keys that sign audit checkpoints, kept outside the database.

The key file (``AUDIT_SIGNING_KEY_FILE``, mode 0600) holds PEM blocks: the public halves of
retired keys, then the current private key. ``mentorhaven audit keygen FILE`` writes one;
``--rotate`` keeps the retired key only as its public half, so old checkpoints still verify
while nobody can sign with it any more. Outside production a missing file is created on first use.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from mentorhaven.kernel.audit.errors import AuditError


@dataclass
class KeyRing:
    """The current signing key and every public key whose old checkpoints we still trust."""

    signing: Ed25519PrivateKey | None
    public: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    @property
    def current_id(self) -> str:
        assert self.signing is not None
        return key_id(self.signing.public_key())


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.S)
_ring_cache: dict[tuple[str, float], KeyRing] = {}
_ring_lock = threading.Lock()


def parse_key_file(data: bytes) -> KeyRing:
    """A key file holds PEM blocks: retired public keys, then the current private key."""
    ring = KeyRing(signing=None)
    for match in _PEM_BLOCK.finditer(data):
        block = match.group(0)
        if match.group(1) == b"PRIVATE KEY":
            private = serialization.load_pem_private_key(block, password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise AuditError("the audit signing key must be an Ed25519 key")
            ring.signing = private
            public = private.public_key()
        else:
            loaded = serialization.load_pem_public_key(block)
            if not isinstance(loaded, Ed25519PublicKey):
                raise AuditError("audit verification keys must be Ed25519 keys")
            public = loaded
        ring.public[key_id(public)] = public
    if ring.signing is None:
        raise AuditError("the audit signing key file holds no private key")
    return ring


def _pem_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def generate_key_file(path: Path, *, rotate: bool = False) -> str:
    """Write a new Ed25519 signing key (mode 0600); returns its key id.

    Without ``rotate`` an existing file is never overwritten. With ``rotate`` the old private key
    is kept only as its public half (old checkpoints stay verifiable; nobody can sign with it).
    """
    new = Ed25519PrivateKey.generate()
    content = _pem_private(new)
    if path.exists():
        if not rotate:
            raise AuditError(f"{path} already exists; use --rotate to replace its key")
        old = parse_key_file(path.read_bytes())
        content = b"".join(_pem_public(p) for p in old.public.values()) + content
    elif rotate:
        raise AuditError(f"{path} does not exist; nothing to rotate")
    _write_private(path, content, replace=rotate)
    return key_id(new.public_key())


def _write_private(path: Path, content: bytes, *, replace: bool) -> None:
    """Write atomically with mode 0600; without ``replace`` a concurrent creator wins cleanly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):  # another process created it first
                os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def key_ring() -> KeyRing:
    """The signing key ring from ``AUDIT_SIGNING_KEY_FILE`` (created outside production)."""
    name = settings.AUDIT_SIGNING_KEY_FILE
    if not name:
        raise AuditError("AUDIT_SIGNING_KEY_FILE is not set")
    path = Path(name)
    if not path.exists():
        if settings.PRODUCTION:
            raise AuditError(f"the audit signing key file {path} does not exist")
        _write_private(path, _pem_private(Ed25519PrivateKey.generate()), replace=False)
    stamp = (str(path), path.stat().st_mtime)
    with _ring_lock:
        ring = _ring_cache.get(stamp)
        if ring is None:
            ring = parse_key_file(path.read_bytes())
            _ring_cache.clear()
            _ring_cache[stamp] = ring
        return ring


# --- signing and checking ----------------------------------------------------------------------


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def checkpoint_message(seq: int, hash_: str, signed_at: datetime) -> bytes:
    fields = ("mentorhaven-audit-checkpoint", str(seq), hash_, format_time(signed_at))
    return "\x1f".join(fields).encode()


def sign(seq: int, hash_: str, signed_at: datetime) -> tuple[str, str]:
    """(key id, base64 signature) of a checkpoint under the current key."""
    ring = key_ring()
    assert ring.signing is not None
    signature = ring.signing.sign(checkpoint_message(seq, hash_, signed_at))
    return ring.current_id, base64.b64encode(signature).decode()


def signature_valid(
    seq: int, hash_: str, signed_at: datetime, kid: str, signature: str, ring: KeyRing
) -> bool:
    public = ring.public.get(kid)
    if public is None:
        return False
    try:
        public.verify(base64.b64decode(signature), checkpoint_message(seq, hash_, signed_at))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- signing other documents with the same key -------------------------------------------------
#
# A data export's manifest is signed with the audit key, so that its recipient (or an operator
# asked about it later) can check it came from this server unchanged. The purpose is part of the
# signed message: a manifest signature can never pass as a checkpoint signature, nor the reverse.


def _document_message(purpose: str, data: bytes) -> bytes:
    return b"\x1f".join((b"mentorhaven-document", purpose.encode(), hashlib.sha256(data).digest()))


def sign_document(purpose: str, data: bytes) -> tuple[str, str]:
    """(key id, base64 Ed25519 signature) of ``data`` for ``purpose`` under the current key."""
    ring = key_ring()
    assert ring.signing is not None
    signature = ring.signing.sign(_document_message(purpose, data))
    return ring.current_id, base64.b64encode(signature).decode()


def public_key_pem(kid: str) -> str:
    """The PEM of a trusted public key (for a recipient who wants to check offline)."""
    public = key_ring().public.get(kid)
    return _pem_public(public).decode() if public is not None else ""


def document_signature_valid(purpose: str, data: bytes, kid: str, signature: str) -> bool:
    """Whether ``signature`` is a signature of ``data`` for ``purpose`` by a key we trust
    (the current key or a retired one kept in the key file)."""
    public = key_ring().public.get(kid)
    if public is None:
        return False
    try:
        public.verify(base64.b64decode(signature, validate=True), _document_message(purpose, data))
    except (InvalidSignature, ValueError):
        return False
    return True
