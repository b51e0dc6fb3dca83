"""Personal data held by the gates: who accepted which agreement, who passed the training, and
break-glass requests."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

declare(
    "gates.AgreementAcceptance",
    [
        Field(
            "user",
            Category.PROGRAM,
            label="Who accepted",
            purpose="Proof that you accepted your program's confidentiality agreement",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin", "auditor"),
            retention="Program end + 1 year",
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Your confidentiality agreements",
    description="Which version of each program's confidentiality agreement you accepted, when.",
)
exempt(
    "gates.AgreementAcceptance",
    "the SHA-256 of the published agreement text, not personal",
    fields=["text_sha256"],
)
declare(
    "gates.AgreementVersion",
    [
        Field(
            "published_by",
            Category.PLATFORM,
            label="Who published it",
            purpose="Accountability for the text participants accept",
            basis="legitimate_interest",
            visible_to=("self", "org_admin", "auditor"),
            retention="Program end + 1 year",
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
    ],
    record="Agreements you published",
    description="Versions of a confidentiality agreement you published for a program.",
)
exempt(
    "gates.AgreementVersion",
    "program policy text published by its organizers like a program description, kept "
    "readable so that each acceptance can be proved against it, its SHA-256 and its number",
    fields=["text", "text_sha256", "number"],
)
declare(
    "gates.TrainingCompletion",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="Who passed the training",
            purpose="A mentor reaches mentees' data only after the security training",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Two years after it was passed",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "score",
            Category.PLATFORM,
            label="Your quiz score",
            purpose="Whether you passed the security training",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Two years after it was passed",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your security training",
    description="When you passed the mentor security training, and your score.",
)
declare(
    "gates.BreakGlassGrant",
    [
        Field(
            "subject",
            Category.PERSONAL,
            label="Whose data",
            purpose="Emergency access to protected content (safeguarding, legal)",
            basis="legal_obligation",
            visible_to=("self", "org_admin", "auditor"),
            retention="6 years (evidence of access)",
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "requested_by",
            Category.PLATFORM,
            label="Who asked",
            purpose="Accountability for emergency access",
            basis="legal_obligation",
            visible_to=("self", "org_admin", "auditor"),
            retention="6 years (evidence of access)",
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "approved_by",
            Category.PLATFORM,
            label="Who approved",
            purpose="Accountability for emergency access",
            basis="legal_obligation",
            visible_to=("self", "org_admin", "auditor"),
            retention="6 years (evidence of access)",
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "revoked_by",
            Category.PLATFORM,
            label="Who ended it",
            purpose="Accountability for emergency access",
            basis="legal_obligation",
            visible_to=("self", "org_admin", "auditor"),
            retention="6 years (evidence of access)",
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "justification",
            Category.PLATFORM,
            label="Why access was asked for",
            purpose="Accountability for emergency access",
            basis="legal_obligation",
            visible_to=("org_admin", "auditor"),
            retention="6 years (evidence of access)",
            erasure=Erasure.SHRED,
        ),
        Field(
            "legal_exception_reason",
            Category.PLATFORM,
            label="Why the person was not told",
            purpose="The legal exception that withholds the notice",
            basis="legal_obligation",
            visible_to=("org_admin", "auditor"),
            retention="6 years (evidence of access)",
            erasure=Erasure.SHRED,
        ),
    ],
    record="Emergency access to your data",
    description="Requests by admins to read protected content about you, and who approved them.",
)
exempt("gates.TrainingCompletion", "the version of the module passed", fields=["module_version"])
exempt("gates.BreakGlassGrant", "how many hours the access lasts (1 to 24)", fields=["hours"])
