"""The signed manifest of a data export, and the check anyone holding the archive can run.

``manifest.json`` lists every other file of the archive with its size and SHA-256;
``manifest.sig`` holds an Ed25519 signature of the manifest's exact bytes under the audit signing
key (``kernel/audit/keys.py``, purpose ``data-export-manifest``), the key's id and its public half.
``verify_archive`` accepts an archive only when the signature is by a key this server trusts and
every file matches the manifest — no file changed, missing or added.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from typing import IO

from mentorhaven.kernel.audit import keys

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PURPOSE = "data-export-manifest"
FORMAT = "mentorhaven-export/1"


def manifest_bytes(*, subject: str, created_at: str, files: list[dict]) -> bytes:
    document = {"format": FORMAT, "subject": subject, "created_at": created_at, "files": files}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False).encode()


def signature_bytes(manifest: bytes) -> bytes:
    kid, signature = keys.sign_document(PURPOSE, manifest)
    document = {
        "algorithm": "Ed25519",
        "purpose": PURPOSE,
        "key_id": kid,
        "signature": signature,
        "public_key": keys.public_key_pem(kid),
        "signed": "the SHA-256 of manifest.json, prefixed as in kernel/audit/keys.py",
    }
    return json.dumps(document, indent=1, sort_keys=True).encode()


@dataclass
class VerifyResult:
    ok: bool = False
    files: int = 0
    problems: list[str] = field(default_factory=list)


def _digest(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as member:
        while chunk := member.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify_archive(source: str | IO[bytes]) -> VerifyResult:
    """Check an export: the manifest's signature, then each file against the manifest."""
    result = VerifyResult()
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        result.problems.append("not a ZIP archive")
        return result
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names or SIGNATURE not in names:
            result.problems.append("no manifest or no signature")
            return result
        manifest = archive.read(MANIFEST)
        try:
            sig = json.loads(archive.read(SIGNATURE))
            valid = keys.document_signature_valid(
                PURPOSE, manifest, str(sig["key_id"]), str(sig["signature"])
            )
            listed = json.loads(manifest)["files"]
        except (ValueError, KeyError, TypeError):
            result.problems.append("the manifest or its signature cannot be read")
            return result
        if not valid:
            result.problems.append("the manifest's signature is not valid")
        expected = {entry["path"]: entry for entry in listed}
        for name in sorted(names - {MANIFEST, SIGNATURE} - set(expected)):
            result.problems.append(f"{name}: not in the manifest")
        for path, entry in sorted(expected.items()):
            if path not in names:
                result.problems.append(f"{path}: missing")
                continue
            digest, size = _digest(archive, path)
            if digest != entry["sha256"] or size != entry["size"]:
                result.problems.append(f"{path}: changed")
        result.files = len(expected)
    result.ok = not result.problems
    return result
