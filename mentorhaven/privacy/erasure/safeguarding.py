"""Safeguarding cases: the evidence of an open safety report outlives the erasure of the people
it is about.

``case_preserve`` copies a report's note (under the reporter's key) and reported message (under
its author's key) into a ``SafeguardingCase``, encrypted under a fresh case key wrapped by the
master key. It runs inside the erasure job before either person's key is shredded, and is safe
to run again (one case per report; a case already opened is left as it is). The program's
admins — the staff a report goes to — read it through ``case_evidence_for``, which is audited.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import NotFound
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.privacy.erasure.models import SafeguardingCase

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@dataclass(frozen=True)
class CaseEvidence:
    note: str
    evidence: str | None


def _aad(case: SafeguardingCase) -> bytes:
    return f"safeguarding-case\x1f{case.public_id}\x1f{case.report_id}".encode()


def _readable(value) -> str | None:
    if value is None or is_unavailable(value):
        return None
    return str(value)


@sensitive_variables()
@transaction.atomic
def case_preserve(*, report) -> SafeguardingCase | None:
    """Seal an open report's evidence under a case key; the existing case if there is one.

    Nothing is sealed when nothing is readable any more (both keys already shredded): there is
    no evidence left to keep, and an empty case would pretend otherwise.
    """
    existing = SafeguardingCase.objects.filter(report=report).first()
    if existing is not None:
        return existing
    note, evidence = _readable(report.note), _readable(report.evidence)
    if note is None and evidence is None:
        return None
    case = SafeguardingCase(report=report)
    case_key = secrets.token_bytes(vault.KEY_BYTES)
    version = vault.key_provider().current_version()
    case.kek_version = version
    case.wrapped_key = vault.wrap_data_key(
        str(case.public_id), case_key, version, purpose=vault.CASE_KEY
    )
    nonce = secrets.token_bytes(vault.NONCE_BYTES)
    payload = json.dumps({"note": note or "", "evidence": evidence}).encode()
    case.sealed_evidence = nonce + AESGCM(case_key).encrypt(nonce, payload, _aad(case))
    case.save()
    audit.record(
        action="safeguarding.case_open",
        actor=None,
        target=report,
        purpose="Keep the evidence of an open safety report through an erasure",
        organization=report.program.organization_id,
    )
    return case


@sensitive_variables()
def _open(case: SafeguardingCase) -> CaseEvidence:
    case_key = vault.unwrap_data_key(
        str(case.public_id), case.wrapped_key, case.kek_version, purpose=vault.CASE_KEY
    )
    sealed = bytes(case.sealed_evidence)
    nonce, body = sealed[: vault.NONCE_BYTES], sealed[vault.NONCE_BYTES :]
    data = json.loads(AESGCM(case_key).decrypt(nonce, body, _aad(case)))
    return CaseEvidence(note=data["note"], evidence=data["evidence"])


@transaction.atomic
def case_evidence_for(*, viewer: User, report) -> CaseEvidence | None:
    """The sealed evidence of ``report`` for one of its program's admins, or ``None`` when no
    case was opened. Audited as a read of safeguarding evidence; anyone else gets NotFound."""
    from mentorhaven.programs.access import administered_programs

    if not administered_programs(viewer).filter(pk=report.program_id).exists():
        raise NotFound()
    case = SafeguardingCase.objects.filter(report=report).first()
    if case is None:
        return None
    audit.record(
        action="safeguarding.case_read",
        actor=viewer,
        actor_role="program_admin",
        target=report,
        purpose="Review the evidence of a safety report kept through an erasure",
        organization=report.program.organization_id,
    )
    return _open(case)
