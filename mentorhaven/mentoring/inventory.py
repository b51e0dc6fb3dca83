"""Personal data held by the mentoring app."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare

RELATIONSHIP_RETENTION = "Program end + 1 year"

declare(
    "mentoring.Relationship",
    [
        Field(
            "mentee",
            Category.PROGRAM,
            purpose="Who is mentored in this relationship",
            basis="contract",
            visible_to=("self", "mentor", "program_admin", "org_admin", "auditor"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "mentor",
            Category.PROGRAM,
            purpose="Who mentors in this relationship",
            basis="contract",
            visible_to=("self", "mentee", "program_admin", "org_admin", "auditor"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "ended_by",
            Category.PROGRAM,
            purpose="Who ended the relationship",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "end_reason",
            Category.PROGRAM,
            purpose="Why the relationship ended (a choice, never free text)",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    description="Your mentoring relationships: who, in which program, when, and their status.",
)

CONTENT_RETENTION = "Relationship end + 1 year, or until you delete it"
PERSONAL, PROGRAM, PLATFORM = Category.PERSONAL, Category.PROGRAM, Category.PLATFORM

declare(
    "mentoring.Goal",
    [
        Field(
            "owner",
            PROGRAM,
            purpose="Whose goal this is (the mentee)",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "title",
            PERSONAL,
            purpose="Short name of the goal, shown in your lists",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "description",
            PERSONAL,
            purpose="What you want to achieve (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "status",
            PROGRAM,
            purpose="Whether the goal is open, achieved or dropped; admins see only counts",
            basis="contract",
            visible_to=("self", "mentor", "program_admin"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    description="Your mentoring goals. Your mentor reads them while your relationship is active.",
)
declare(
    "mentoring.GoalUpdate",
    [
        Field(
            "owner",
            PROGRAM,
            purpose="Who wrote the progress update",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "body",
            PERSONAL,
            purpose="Progress on a goal (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    description="Progress updates on your goals.",
)
declare(
    "mentoring.Milestone",
    [
        Field(
            "title",
            PERSONAL,
            purpose="A step towards one of your goals",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    subject="goal__owner",
    description="Milestones of your goals, with due dates.",
)
declare(
    "mentoring.Note",
    [
        Field(
            "author",
            PROGRAM,
            purpose="Who wrote the note",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "body",
            PLATFORM,
            purpose="Your session note (encrypted under your key); private "
            "notes are for you alone, shared ones for both of you",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    description="Session notes you wrote. Admins never read them.",
)
declare(
    "mentoring.Meeting",
    [
        Field(
            "proposed_by",
            PROGRAM,
            purpose="Who proposed the meeting",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "location",
            PLATFORM,
            purpose="Where you meet: a place or a video link",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "agenda",
            PLATFORM,
            purpose="What you want to talk about (encrypted under the key of whoever proposed it)",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    description="Meetings you proposed: times, place and agenda. Admins see only how many.",
)
declare(
    "mentoring.Feedback",
    [
        Field(
            "author",
            PROGRAM,
            purpose="Who gave the feedback",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "rating",
            Category.ANALYTICAL,
            purpose="How a meeting went (1 to 5); admins see only "
            "averages over groups of at least the minimum size the program sets",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "comment",
            PERSONAL,
            purpose="Your optional comment (encrypted under your key); "
            "admins see only how many comments a large enough group wrote",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    description="Feedback you gave after meetings.",
)
declare(
    "mentoring.CalendarFeed",
    [
        Field(
            "user",
            PLATFORM,
            purpose="Whose private calendar feed this is",
            basis="contract",
            visible_to=("self",),
            retention="Until you revoke it",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "token_hash",
            PLATFORM,
            purpose="Hash of the secret in your feed address (the secret itself is never stored)",
            basis="contract",
            visible_to=(),
            retention="Until you revoke it",
            erasure=Erasure.DELETE,
        ),
    ],
    description="Your private calendar feed address (only its hash).",
)
