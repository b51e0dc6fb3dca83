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
            purpose="The file's cleaned-up name (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor", "mentee"),
            retention=FILE_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    description="Files you shared in a mentoring relationship. The content is stored encrypted "
    "under your key; picture metadata such as location is removed on upload.",
)
declare(
    "files.ShareLink",
    [
        Field(
            "created_by",
            PLATFORM,
            purpose="Who created the share link",
            basis="contract",
            visible_to=("self",),
            retention=LINK_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    description="Links you made to share a file outside the platform (only a hash of each "
    "link's secret and of its password is kept).",
)
declare(
    "files.ShareLinkAccess",
    [
        Field(
            "outcome",
            PLATFORM,
            purpose="When your share link was used and what happened "
            "(no address or device details of the visitor)",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=LINK_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    subject="link__created_by",
    description="The log of visits to your share links.",
)

exempt(
    "files.StoredFile",
    "Identifiers only: the random name of the sealed blob in storage, and the public id of "
    "the message a file is attached to (the message itself is declared by messaging)",
    fields=["storage_name", "message_ref"],
)
