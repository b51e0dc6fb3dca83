"""The retention app's personal data: legal holds and inactivity notices."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

HOLD_RETENTION = "While the hold lasts, then 6 years with the audit trail it belongs to"

declare(
    "retention.LegalHold",
    [
        Field(
            "user",
            Category.PROGRAM,
            label="That a legal hold keeps your data",
            purpose="Keeping data that a legal claim or a safety case needs past its retention",
            basis="legal_obligation",
            visible_to=("org_admin", "auditor", "security_officer"),
            retention=HOLD_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "placed_by",
            Category.PROGRAM,
            label="Who placed a legal hold",
            purpose="Accountability for holds",
            basis="legal_obligation",
            visible_to=("self", "org_admin", "auditor", "security_officer"),
            retention=HOLD_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "released_by",
            Category.PROGRAM,
            label="Who released a legal hold",
            purpose="Accountability for holds",
            basis="legal_obligation",
            visible_to=("self", "org_admin", "auditor", "security_officer"),
            retention=HOLD_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "reason",
            Category.PROGRAM,
            label="Why a legal hold was placed (free text)",
            free_text=True,
            purpose="Why the data must be kept (encrypted under the admin's key)",
            basis="legal_obligation",
            visible_to=("self", "org_admin", "auditor", "security_officer"),
            retention=HOLD_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Legal holds",
)

declare(
    "retention.InactivityNotice",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="That we warned you about erasing your inactive account",
            purpose="Warning a person a month before their inactive account is erased",
            basis="legal_obligation",
            visible_to=("self",),
            retention="Until you sign in again or the account is erased",
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Inactivity warnings",
)

declare(
    "retention.RetentionPolicy",
    [
        Field(
            "updated_by",
            Category.PROGRAM,
            label="Who last changed a retention period",
            purpose="Accountability for retention settings",
            basis="legitimate_interest",
            visible_to=("self", "org_admin", "auditor"),
            retention="While the organization exists",
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
    ],
    record="Retention settings",
)
exempt(
    "retention.RetentionPolicy",
    "a kind of record and a number of days chosen by the organization: no person, no content",
    fields=["category", "days"],
)
