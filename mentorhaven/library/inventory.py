"""Personal data held by the library: which admin wrote or uploaded a resource, and the text
and files they wrote for the program. How often a resource was opened is one counter per
resource, about no one."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt


def _text(name: str, label: str) -> Field:
    return Field(
        name,
        Category.PROGRAM,
        label=label,
        purpose="Share learning material with the program's people",
        basis="legitimate_interest",
        visible_to=("self", "program_peer", "program_admin", "org_admin"),
        retention="Until archived and removed by the program, or the author's erasure",
        # Encrypted under the author's key: shredded with it; the erasure also deletes the row.
        erasure=Erasure.SHRED,
        free_text=True,
    )


declare(
    "library.Resource",
    [
        Field(
            "author",
            Category.PROGRAM,
            label="Who wrote the resource",
            purpose="The resource's text is encrypted under the key of the admin who wrote it",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention="Until the resource is removed",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "uploader",
            Category.PROGRAM,
            label="Who uploaded the resource's file",
            purpose="The file is encrypted under the key of the admin who uploaded it",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention="Until the resource is removed",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        _text("title", "The resource's title"),
        _text("description", "The resource's description"),
        _text("tags", "The resource's tags"),
        _text("body", "An article's text"),
        _text("url", "A link's address"),
        _text("filename", "The name of a document or video"),
    ],
    record="Library resources you added",
    description=(
        "Articles, links, documents and videos you added to a program's library: their text, "
        "and the files themselves."
    ),
)
exempt(
    "library.Resource",
    "how many times the resource was opened, in total: a counter about no one; the checked "
    "type and size of a document or video, and the random name of its sealed blob",
    fields=["view_count", "mime_type", "size", "storage_name"],
)
