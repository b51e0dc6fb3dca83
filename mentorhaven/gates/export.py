"""What a data export holds from the gates app: the confidentiality agreements the person
accepted and their security-training passes (privacy/export/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mentorhaven.gates.models import AgreementAcceptance, TrainingCompletion
from mentorhaven.privacy.export.registry import Section, exclude, register


def acceptance_rows(context):
    found = AgreementAcceptance.objects.filter(user=context.user).select_related("version__program")
    for acceptance in found.order_by("accepted_at"):
        yield {
            "program": acceptance.version.program.name,
            "version": acceptance.version.number,
            "text_sha256": acceptance.text_sha256,
            "accepted": acceptance.accepted_at,
        }


def training_rows(context):
    for passed in TrainingCompletion.objects.filter(user=context.user).order_by("passed_at"):
        yield {
            "module_version": passed.module_version,
            "score": passed.score,
            "passed": passed.passed_at,
        }


register(
    Section(
        key="agreements",
        title=_("Confidentiality agreements you accepted"),
        models=("gates.AgreementAcceptance",),
        rows=acceptance_rows,
        source=_("Recorded when you accepted your program's agreement"),
        order=60,
    )
)
register(
    Section(
        key="training",
        title=_("Your security training"),
        models=("gates.TrainingCompletion",),
        rows=training_rows,
        source=_("Recorded when you passed the mentor security training"),
        order=61,
    )
)
exclude(
    "gates.AgreementVersion",
    "the agreement's text is written by the organization about the program, not about a "
    "person; the versions you accepted are in the agreements section",
)
exclude(
    "gates.BreakGlassGrant",
    "every read made under an emergency grant about you is in your access log; a grant under "
    "a recorded legal exception is withheld from you while that exception applies",
)
