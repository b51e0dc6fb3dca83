"""Personal data held by the community app: the events an admin wrote, and who registered for
which event."""

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
