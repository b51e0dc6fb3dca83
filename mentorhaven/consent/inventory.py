"""Personal data held by the consent app: consent records, restrictions, data requests and
data-protection roles."""

from mentorhaven.consent.domain import Purpose
from mentorhaven.kernel.inventory import (
    Category,
    Erasure,
    Field,
    declare,
    exempt,
    register_use,
)

PROGRAM, PERSONAL = Category.PROGRAM, Category.PERSONAL

# A field may be declared usable for AI assistance (Field.uses): the person's consent to this
# purpose then lets the AI gateway include it in a prompt (assistant/gateway.py).
register_use(Purpose.AI.value, "AI assistance")
PROOF = "As long as we rely on the consent, then 3 years as proof"
REQUESTS = "3 years after the request is closed, as proof that it was answered"

declare(
    "consent.ConsentRecord",
    [
        Field(
            "user",
            PROGRAM,
            label="Your consent choices",
            purpose="When and how you gave or withdrew each consent, and to which text",
            basis="legal_obligation",
            visible_to=("self",),
            retention=PROOF,
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Your consents and withdrawals",
    description="Each consent you gave or withdrew: the purpose, the text, when and how.",
)

declare(
    "consent.DataRequest",
    [
        Field(
            "requester",
            PROGRAM,
            label="Who made the request",
            purpose="Your data-protection requests and their deadlines",
            basis="legal_obligation",
            visible_to=("self", "security_officer"),
            retention=REQUESTS,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "details",
            PERSONAL,
            label="What you wrote in a request",
            free_text=True,
            purpose="What you asked for, read only by your organization's data-protection "
            "officers (encrypted under your key)",
            basis="legal_obligation",
            visible_to=("self", "security_officer"),
            retention=REQUESTS,
            erasure=Erasure.SHRED,
        ),
        Field(
            "handled_by",
            PROGRAM,
            label="Who handled a request",
            purpose="Which data-protection officer last handled a request",
            basis="legal_obligation",
            visible_to=("self", "security_officer"),
            retention=REQUESTS,
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="Your data-protection requests",
    description="Corrections, restrictions and other requests about your data.",
)

declare(
    "consent.Restriction",
    [
        Field(
            "user",
            PROGRAM,
            label="That you restricted processing",
            purpose="That processing of your data is frozen while a dispute is open",
            basis="legal_obligation",
            visible_to=("self", "security_officer"),
            retention=REQUESTS,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "lifted_by",
            PROGRAM,
            label="Who lifted a restriction",
            purpose="Who lifted a restriction of processing",
            basis="legal_obligation",
            visible_to=("self", "security_officer"),
            retention=REQUESTS,
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="Your restrictions of processing",
    description="Times you froze the processing of your data during a dispute.",
)

declare(
    "consent.DataProtectionOfficer",
    [
        Field(
            "user",
            PROGRAM,
            label="Your data-protection role",
            purpose="That you hold an organization's data-protection role",
            basis="legitimate_interest",
            visible_to=("self", "org_admin"),
            retention="While you hold the role",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "appointed_by",
            PROGRAM,
            label="Who appointed a data-protection officer",
            purpose="Which admin gave the data-protection role",
            basis="legitimate_interest",
            visible_to=("self", "org_admin"),
            retention="While the role is held",
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="Your data-protection roles",
    description="Organizations whose data-protection requests you handle.",
)

exempt(
    "consent.ConsentRecord",
    "the version label and SHA-256 of a consent text MentorHaven wrote: the same for everyone "
    "who agreed to that text",
    fields=["text_version", "text_sha256"],
)
