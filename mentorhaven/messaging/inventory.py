"""The messaging app's personal data: conversations, messages, safety reports, notifications."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

PLATFORM, PROGRAM = Category.PLATFORM, Category.PROGRAM
MESSAGE_RETENTION = (
    "While the relationship or group lasts, then a read-only archive for "
    "MESSAGING_ARCHIVE_RETENTION_DAYS (default 365), then deleted"
)
REPORT_RETENTION = "Until the report is resolved + 2 years"
NOTIFICATION_RETENTION = "90 days"

declare(
    "messaging.ConversationMember",
    [
        Field(
            "user",
            PLATFORM,
            purpose="Who takes part in a conversation, and how far they have read",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=MESSAGE_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    description="The conversations you take part in and what you have read.",
)
declare(
    "messaging.Message",
    [
        Field(
            "author",
            PLATFORM,
            purpose="Who wrote the message",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=MESSAGE_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "body",
            PLATFORM,
            purpose="What you wrote (encrypted under your key); admins never read it, except "
            "one message that someone reported to them, and that read is logged",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=MESSAGE_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    description="Messages you wrote. Deleting one leaves only a 'message deleted' marker.",
)
declare(
    "messaging.Block",
    [
        Field(
            "blocker",
            PLATFORM,
            purpose="Who blocked someone, so their messages stop reaching you",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Until you unblock",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "blocked",
            PLATFORM,
            purpose="Whom you blocked (they are not told)",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Until you unblock",
            erasure=Erasure.DELETE,
        ),
    ],
    description="People you blocked.",
)
declare(
    "messaging.Report",
    [
        Field(
            "reporter",
            PROGRAM,
            purpose="Who reported a safety concern",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention=REPORT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "reported_user",
            PROGRAM,
            purpose="Whom the report is about",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention=REPORT_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "reason",
            PROGRAM,
            purpose="Why it was reported (a choice, never free text)",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention=REPORT_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "note",
            PLATFORM,
            purpose="Your optional explanation (encrypted under your key)",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention=REPORT_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "evidence",
            PLATFORM,
            purpose="A copy of the one reported message, under its author's key, so deleting "
            "it does not hide it from the admins; its reading is logged",
            basis="legitimate_interest",
            visible_to=("program_admin", "org_admin"),
            retention=REPORT_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "resolved_by",
            PROGRAM,
            purpose="Which admin resolved the report",
            basis="legitimate_interest",
            visible_to=("program_admin", "org_admin"),
            retention=REPORT_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    description="Safety reports you made. The admins of the program (its program admins "
    "and the organization's admins) handle them.",
)
declare(
    "messaging.Notification",
    [
        Field(
            "user",
            PLATFORM,
            purpose="Whom the notification is for",
            basis="contract",
            visible_to=("self",),
            retention=NOTIFICATION_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "text",
            PLATFORM,
            purpose="A fixed sentence such as 'You have a new message from your mentor'; "
            "never the content",
            basis="contract",
            visible_to=("self",),
            retention=NOTIFICATION_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    description="Your in-app notifications.",
)
declare(
    "messaging.NotificationPreference",
    [
        Field(
            "user",
            PLATFORM,
            purpose="How often you want notification e-mails",
            basis="contract",
            visible_to=("self",),
            retention="While your account exists",
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    description="Your e-mail notification setting.",
)
exempt(
    "messaging.NotificationPreference",
    "a frequency choice (immediately, daily, never), not an e-mail address",
    fields=["email"],
)
