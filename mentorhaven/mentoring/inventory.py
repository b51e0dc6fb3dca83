"""Personal data held by the mentoring app."""

from mentorhaven.consent.domain import Purpose
from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

RELATIONSHIP_RETENTION = "Program end + 1 year"

declare(
    "mentoring.Relationship",
    [
        Field(
            "mentee",
            Category.PROGRAM,
            label="The mentee",
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
            label="The mentor",
            purpose="Who mentors in this relationship",
            basis="contract",
            visible_to=("self", "mentee", "program_admin", "org_admin", "auditor"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,  # a relationship is about both people in it
        ),
        Field(
            "ended_by",
            Category.PROGRAM,
            label="Who ended it",
            purpose="Who ended the relationship",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "end_reason",
            Category.PROGRAM,
            label="Why it ended",
            purpose="Why the relationship ended (a choice, never free text)",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "end_note",
            Category.PERSONAL,
            label="Your note on why it ended",
            free_text=True,
            purpose="The optional note of whoever ended the relationship (encrypted under their "
            "key); never shown to the other participant",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "paused_at",
            Category.PROGRAM,
            label="When it was paused",
            purpose="When a coordinator paused the relationship (both read, neither writes)",
            basis="legitimate_interest",
            visible_to=("self", "mentor", "mentee", "program_admin"),
            retention=RELATIONSHIP_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your mentoring relationships",
    description="Your mentoring relationships: who, in which program, when, and their status.",
)

CONTENT_RETENTION = "Relationship end + 1 year, or until you delete it"
NOTE_RETENTION = (
    "Until you delete it, or 24 months after the relationship ends (your organization may "
    "choose 3 to 72 months); longer only under a legal hold"
)
PERSONAL, PROGRAM, PLATFORM = Category.PERSONAL, Category.PROGRAM, Category.PLATFORM
# What the AI assistant may read, when the person consented (assistant/gateway.py): goals,
# milestones and notes; only shared notes are ever selected for a prompt.
AI_USE = (Purpose.AI.value,)

declare(
    "mentoring.Goal",
    [
        Field(
            "owner",
            PROGRAM,
            label="Whose goal it is",
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
            label="The goal's title",
            free_text=True,
            purpose="Short name of the goal, shown in your lists (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
            uses=AI_USE,
        ),
        Field(
            "description",
            PERSONAL,
            label="What the goal is about",
            free_text=True,
            purpose="What you want to achieve (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
            uses=AI_USE,
        ),
        Field(
            "status",
            PROGRAM,
            label="Whether the goal is reached",
            purpose="Whether the goal is open, achieved or dropped; admins see only counts",
            basis="contract",
            visible_to=("self", "mentor", "program_admin"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your goals",
    description="Your mentoring goals. Your mentor reads them while your relationship is active.",
)
declare(
    "mentoring.GoalUpdate",
    [
        Field(
            "owner",
            PROGRAM,
            label="Who wrote it",
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
            label="What you wrote about your progress",
            free_text=True,
            purpose="Progress on a goal (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Progress updates on your goals",
    description="Progress updates on your goals.",
)
declare(
    "mentoring.Milestone",
    [
        Field(
            "owner",
            PROGRAM,
            label="Whose milestone it is",
            purpose="Who wrote the milestone (the goal's owner)",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "title",
            PERSONAL,
            label="The milestone's title",
            free_text=True,
            purpose="A step towards one of your goals (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
            uses=AI_USE,
        ),
    ],
    record="Milestones of your goals",
    description="Milestones of your goals, with due dates.",
)
declare(
    "mentoring.Note",
    [
        Field(
            "author",
            PROGRAM,
            label="Who wrote it",
            purpose="Who wrote the note",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=NOTE_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "body",
            PLATFORM,
            label="The text of your note",
            free_text=True,
            purpose="Your session note (encrypted under your key); private "
            "notes are for you alone, shared ones for both of you",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=NOTE_RETENTION,
            erasure=Erasure.SHRED,
            uses=AI_USE,
        ),
    ],
    record="Your session notes",
    description="Session notes you wrote. Admins never read them.",
)
declare(
    "mentoring.Meeting",
    [
        Field(
            "proposed_by",
            PROGRAM,
            label="Who proposed it",
            purpose="Who proposed the meeting",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "slots",
            PLATFORM,
            label="The times offered",
            purpose="The one to three times you offered for the meeting",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "location",
            PLATFORM,
            label="Where you meet",
            free_text=True,
            purpose="Where you meet: a place or a video link (encrypted under the key of whoever "
            "proposed the meeting)",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "agenda",
            PLATFORM,
            label="What you want to talk about",
            free_text=True,
            purpose="What you want to talk about (encrypted under the key of whoever proposed it)",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Meetings you proposed",
    description="Meetings you proposed: times, place and agenda. Admins see only how many.",
)
declare(
    "mentoring.Feedback",
    [
        Field(
            "author",
            PROGRAM,
            label="Who gave it",
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
            label="Your rating of the meeting",
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
            label="Your comment",
            free_text=True,
            purpose="Your optional comment (encrypted under your key); "
            "admins see only how many comments a large enough group wrote",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Feedback you gave after meetings",
    description="Feedback you gave after meetings.",
)
declare(
    "mentoring.ClosingSurvey",
    [
        Field(
            "author",
            PROGRAM,
            label="Who answered",
            purpose="Who answered the closing survey",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "rating",
            Category.ANALYTICAL,
            label="Your rating of the relationship",
            purpose="How the relationship went (1 to 5); admins see only averages over groups "
            "of at least the minimum size the program sets",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=CONTENT_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "comment",
            PERSONAL,
            label="Your closing comment",
            free_text=True,
            purpose="Your optional comment (encrypted under your key); admins see only how many "
            "comments a large enough group wrote",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=CONTENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Your closing surveys",
    description="Your answers to the survey at the end of a completed relationship.",
)
declare(
    "mentoring.CalendarFeed",
    [
        Field(
            "user",
            PLATFORM,
            label="Whose feed it is",
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
            label="A fingerprint of your feed's secret address",
            purpose="Hash of the secret in your feed address (the secret itself is never stored)",
            basis="contract",
            visible_to=(),
            retention="Until you revoke it",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your calendar feed",
    description="Your private calendar feed address (only its hash).",
)

exempt(
    "mentoring.Meeting",
    "a meeting's length in minutes, chosen from a form: metadata admins may count",
    fields=["duration_minutes"],
)
