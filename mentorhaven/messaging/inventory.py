"""The messaging app's personal data: conversations, messages, safety reports, notifications."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

PLATFORM, PROGRAM = Category.PLATFORM, Category.PROGRAM
MESSAGE_RETENTION = (
    "While the relationship or group lasts, then a read-only archive until the retention "
    "sweep deletes it: 24 months after a relationship ends by default (your organization may "
    "choose 3 to 72 months), longer only under a legal hold"
)
REPORT_RETENTION = "Until the case is closed + 2 years"
NOTIFICATION_RETENTION = "90 days"

declare(
    "messaging.ConversationMember",
    [
        Field(
            "user",
            PLATFORM,
            label="Who takes part",
            purpose="Who takes part in a conversation, and how far they have read",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=MESSAGE_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "last_read_seq",
            PLATFORM,
            label="How far you have read",
            purpose="Showing you which messages are new",
            basis="contract",
            visible_to=("self",),
            retention=MESSAGE_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your conversations",
    description="The conversations you take part in and what you have read.",
)
declare(
    "messaging.Message",
    [
        Field(
            "author",
            PLATFORM,
            label="Who wrote it",
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
            label="The text of your message",
            free_text=True,
            purpose="What you wrote (encrypted under your key); admins never read it, except "
            "one message that someone reported to them, and that read is logged",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=MESSAGE_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Messages you wrote",
    description="Messages you wrote. Deleting one leaves only a 'message deleted' marker.",
)
declare(
    "messaging.Block",
    [
        Field(
            "blocker",
            PLATFORM,
            label="Who blocked",
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
            label="Who is blocked",
            purpose="Whom you blocked (they are not told)",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Until you unblock",
            erasure=Erasure.DELETE,
        ),
    ],
    record="People you blocked",
    description="People you blocked.",
)
declare(
    "messaging.Report",
    [
        Field(
            "reporter",
            PROGRAM,
            label="Who reported",
            purpose="Who reported a safety concern",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin", "security_officer"),
            retention=REPORT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "reported_user",
            PROGRAM,
            label="Whom it is about",
            purpose="Whom the report is about",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin", "security_officer"),
            retention=REPORT_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "reason",
            PROGRAM,
            label="The reason chosen",
            purpose="Why it was reported (a choice, never free text)",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin", "security_officer"),
            retention=REPORT_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "note",
            PLATFORM,
            label="What you explained",
            free_text=True,
            purpose="Your optional explanation (encrypted under your key)",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin", "security_officer"),
            retention=REPORT_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "evidence",
            PLATFORM,
            label="A copy of the reported message",
            free_text=True,
            purpose="A copy of the one reported message, under its author's key, so deleting "
            "it does not hide it from the admins; its reading is logged",
            basis="legitimate_interest",
            visible_to=("program_admin", "org_admin", "security_officer"),
            retention=REPORT_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "resolved_by",
            PROGRAM,
            label="Who closed the case",
            purpose="Which admin closed the safety case",
            basis="legitimate_interest",
            visible_to=("program_admin", "org_admin", "security_officer"),
            retention=REPORT_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="Safety reports you made",
    description="Safety reports you made, and the cases made of them. The admins of the "
    "program (its program admins and the organization's admins) handle them; the "
    "organization's security officers read a case once it is escalated to them.",
)
declare(
    "messaging.ReportEntry",
    [
        Field(
            "author",
            PROGRAM,
            label="Who wrote a line of a safety case's log",
            purpose="Accountability for how a safety case was handled",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin", "security_officer"),
            retention=REPORT_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "body",
            PROGRAM,
            label="A case note (free text)",
            free_text=True,
            purpose="What an admin noted while handling a safety case (encrypted under the "
            "writer's key, bound to the case)",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin", "security_officer"),
            retention=REPORT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Safety case notes you wrote",
    description="Notes and actions you recorded while handling safety cases as a program's admin.",
)
declare(
    "messaging.Notification",
    [
        Field(
            "user",
            PLATFORM,
            label="Whom it is for",
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
            label="What it says",
            purpose="A fixed sentence such as 'You have a new message from your mentor' or "
            "'A meeting was proposed'; never the content, never a name",
            basis="contract",
            visible_to=("self",),
            retention=NOTIFICATION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "about_time",
            PLATFORM,
            label="When the meeting it is about starts",
            purpose="Telling you when your meeting is, on your own clock (reminders and "
            "confirmations)",
            basis="contract",
            visible_to=("self",),
            retention=NOTIFICATION_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your notifications",
    description="Your in-app notifications.",
)
declare(
    "messaging.NotificationPreference",
    [
        Field(
            "user",
            PLATFORM,
            label="Your choice of how often",
            purpose="How often you want notification e-mails",
            basis="contract",
            visible_to=("self",),
            retention="While your account exists",
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Your notification setting",
    description="Your e-mail notification setting.",
)
exempt(
    "messaging.NotificationPreference",
    "a frequency choice (immediately, daily, never), not an e-mail address; and per kind of "
    "notice a choice among 'here and by e-mail', 'here only' and 'off'",
    fields=["email", "channels"],
)
exempt(
    "messaging.Notification",
    "a flag: whether the person wanted this kind of notice by e-mail, not an e-mail address",
    fields=["by_email"],
)
exempt(
    "messaging.Conversation",
    "a group's name, set by the program's organizers like a program name, and the number of "
    "the newest message",
    fields=["title", "last_seq"],
)
exempt("messaging.Message", "the message's position in its conversation", fields=["seq"])
exempt(
    "messaging.Notification",
    "a link to the page concerned, built by the code from public ids",
    fields=["link"],
)
