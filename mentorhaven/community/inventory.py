"""Personal data held by the community app: the events an admin wrote, and who registered for
which event."""

from mentorhaven.consent.domain import Purpose
from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt


def _event_text(name: str, label: str) -> Field:
    return Field(
        name,
        Category.PROGRAM,
        label=label,
        purpose="Tell the program's members about an event",
        basis="legitimate_interest",
        visible_to=("self", "program_peer", "program_admin", "org_admin"),
        retention="Program end + 1 year",
        erasure=Erasure.SHRED,
        free_text=True,
    )


declare(
    "community.Event",
    [
        Field(
            "author",
            Category.PROGRAM,
            label="Who wrote the event",
            purpose="The event's text is encrypted under the key of the admin who wrote it",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention="Program end + 1 year",
            erasure=Erasure.UNLINK,
            subject=True,
        ),
        _event_text("title", "The event's title"),
        _event_text("description", "The event's description"),
        _event_text("place", "Where the event takes place"),
        _event_text("link", "The event's online link"),
    ],
    record="Program events you wrote",
    description="Events you published for a program you run: title, description, place, link.",
)
exempt("community.Event", "how many people the event can take", fields=["capacity"])
declare(
    "community.Registration",
    [
        Field(
            "user",
            Category.PROGRAM,
            label="Who registered",
            purpose="Keep your place at a program event, and remind you of it",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention="Program end + 1 year",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "checked_in_by",
            Category.PROGRAM,
            label="Who checked you in",
            purpose="Record who confirmed attendance at an event",
            basis="legitimate_interest",
            visible_to=("program_admin", "org_admin"),
            retention="Program end + 1 year",
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="Your event registrations",
    description=(
        "The program events you registered for, your place (registered or on the waitlist), "
        "whether you were checked in, and whether other attendees may see your name."
    ),
)
declare(
    "community.Survey",
    [
        Field(
            "author",
            Category.PROGRAM,
            label="Who published the survey",
            purpose="Accountability for the questions participants are asked",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention="Program end + 1 year",
            erasure=Erasure.UNLINK,
            subject=True,
        ),
    ],
    record="Surveys you published",
    description="Surveys you published for a program you run.",
)
exempt(
    "community.Survey",
    "the survey's title and introduction, written by its organizers about the program like a "
    "questionnaire; its key, wrapped by the master key, and that key's version",
    fields=["title", "intro", "wrapped_key", "kek_version"],
)
exempt(
    "community.SurveyQuestion",
    "questions and their options, written by the program's organizers, about no one",
    fields=["prompt", "options", "position"],
)
declare(
    "community.SurveyCompletion",
    [
        Field(
            "user",
            Category.PROGRAM,
            label="That you answered a survey",
            purpose="Ask each person once; nothing links it to the answers",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Program end + 1 year",
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Surveys you answered",
    description="That you answered a survey, without when and without your answers.",
)
exempt(
    "community.PendingBallot",
    "anonymous answers waiting for their shuffled batch, sealed under the survey's key: no "
    "column names or points at a person",
)
exempt(
    "community.AnonymousAnswer",
    "anonymous answers: no column names or points at a person, no time, random ids; free text "
    "sealed under the survey's key",
)
declare(
    "community.ConfidentialAnswer",
    [
        Field(
            "respondent",
            Category.PROGRAM,
            label="Who answered",
            purpose="A confidential survey: your answers, shown to admins only in aggregates",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Program end + 1 year",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "choice",
            Category.PROGRAM,
            label="Your choice",
            purpose="Survey results, in aggregates of at least k people",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Program end + 1 year",
            erasure=Erasure.DELETE,
        ),
        Field(
            "scale",
            Category.PROGRAM,
            label="Your rating",
            purpose="Survey results, in aggregates of at least k people",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Program end + 1 year",
            erasure=Erasure.DELETE,
        ),
        Field(
            "text",
            Category.PROGRAM,
            label="What you wrote",
            purpose="Survey results: counted, never shown on a dashboard; with your consent to "
            "AI assistance, redacted into the program's themes (never quoted)",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Program end + 1 year",
            erasure=Erasure.SHRED,
            free_text=True,
            uses=(Purpose.AI.value,),
        ),
    ],
    record="Your confidential survey answers",
    description="Your answers to confidential surveys; admins see them only in aggregates.",
)
