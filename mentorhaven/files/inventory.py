"""Personal data held by the files app."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

FILE_RETENTION = "Until you delete it, or relationship end + 1 year"
LINK_RETENTION = "Until the file is deleted (links stop working when they expire or are revoked)"
PLATFORM = Category.PLATFORM

declare(
    "files.StoredFile",
    [
        Field(
            "uploader",
            PLATFORM,
            label="Who uploaded it",
            purpose="Who uploaded the file (its content and name are encrypted under their key)",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=FILE_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "filename",
            PLATFORM,
            label="The file's name",
            free_text=True,
            purpose="The file's cleaned-up name (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=FILE_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "mime_type",
            PLATFORM,
            label="The kind of file",
            purpose="Serving the file with the right type (found by inspecting it)",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=FILE_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "size",
            PLATFORM,
            label="The file's size",
            purpose="Showing the size and keeping uploads within the limit",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=FILE_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Files you shared",
    description="Files you shared in a mentoring relationship. The content is stored encrypted "
    "under your key; picture metadata such as location is removed on upload.",
)
declare(
    "files.ShareLink",
    [
        Field(
            "created_by",
            PLATFORM,
            label="Who made the link",
            purpose="Who created the share link",
            basis="contract",
            visible_to=("self",),
            retention=LINK_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Links you made to share a file",
    description="Links you made to share a file outside the platform (only a hash of each "
    "link's secret and of its password is kept).",
)
declare(
    "files.ShareLinkAccess",
    [
        Field(
            "outcome",
            PLATFORM,
            label="When a link was used and what happened",
            purpose="When your share link was used and what happened "
            "(no address or device details of the visitor)",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=LINK_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    subject="link__created_by",
    record="Visits to your share links",
    description="The log of visits to your share links.",
)

exempt(
    "files.StoredFile",
    "Identifiers only: the random name of the sealed blob in storage, and the public id of "
    "the message a file is attached to (the message itself is declared by messaging)",
    fields=["storage_name", "message_ref"],
)
exempt(
    "files.ShareLink",
    "hashes of the link's secret and password, its download limit and counter, and the count "
    "of password attempts in the current window: no content",
    fields=[
        "token_hash",
        "password_hash",
        "max_downloads",
        "download_count",
        "password_failures",
    ],
)
