"""Declarations for the kernel's own tables and for third-party models we install.

Third-party apps cannot carry our ``inventory.py``, so what they keep about people (allauth's
addresses, second factors and sessions; Django's sessions) is declared here.
"""

from django.db.models import Q

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

SESSION_RETENTION = "Until you sign out or the session expires (8 hours)"


def _nothing() -> Q:
    return Q(pk__in=[])


# --- kernel ----------------------------------------------------------------------------------


def _subject_key_rows(user) -> Q:
    return Q(subject_id=user.pk)


declare(
    "kernel.SubjectKey",
    [
        Field(
            "subject_id",
            Category.PLATFORM,
            purpose="Whose data key this is",
            basis="contract",
            visible_to=(),
            retention="Kept as a tombstone after erasure",
            erasure=Erasure.SHRED,
        ),
        Field(
            "wrapped_key",
            Category.PLATFORM,
            purpose="Encrypting your content (stored wrapped by the master key)",
            basis="contract",
            visible_to=(),
            retention="Until erasure",
            erasure=Erasure.SHRED,
        ),
        Field(
            "wrapped_secret",
            Category.PLATFORM,
            purpose="Making your audit-log pseudonym (stored wrapped by the master key)",
            basis="contract",
            visible_to=(),
            retention="Until erasure",
            erasure=Erasure.SHRED,
        ),
    ],
    description="Your data key: destroying it makes everything encrypted under it unreadable.",
    subject=_subject_key_rows,
)


def _audit_rows(user) -> Q:
    from mentorhaven.kernel import audit
    from mentorhaven.kernel.models import SubjectKey

    # Computing a pseudonym must not create a key for someone who never had one (this runs on
    # a read), and an erased person's pseudonym is the shared "erased" marker: no rows are theirs.
    if not SubjectKey.objects.filter(subject_id=user.pk, shredded_at__isnull=True).exists():
        return _nothing()
    name = audit.pseudonym(user)
    if not name or name == getattr(audit, "ERASED", "erased"):
        return _nothing()
    return Q(actor=name) | Q(subject=name)


declare(
    "kernel.AuditEvent",
    [
        Field(
            "actor",
            Category.PLATFORM,
            purpose="Recording who did something, as a keyed pseudonym",
            basis="legitimate_interest",
            visible_to=("self", "auditor", "security_officer"),
            retention="Kept for accountability; unlinkable from you once you are erased",
            erasure=Erasure.SHRED,
        ),
        Field(
            "subject",
            Category.PLATFORM,
            purpose="Recording whose data was read or changed, as a keyed pseudonym",
            basis="legitimate_interest",
            visible_to=("self", "auditor", "security_officer"),
            retention="Kept for accountability; unlinkable from you once you are erased",
            erasure=Erasure.SHRED,
        ),
        Field(
            "target_id",
            Category.PLATFORM,
            purpose="Recording what was read or changed, as a pseudonym keyed to you",
            basis="legitimate_interest",
            visible_to=("self", "auditor", "security_officer"),
            retention="Kept for accountability; unlinkable from you once you are erased",
            erasure=Erasure.SHRED,
        ),
    ],
    description="The tamper-evident audit log. It holds pseudonyms, codes and counts, never "
    "content; erasing your key breaks the link between you, your pseudonym and what you did.",
    subject=_audit_rows,
)

# --- allauth ---------------------------------------------------------------------------------

declare(
    "account.EmailAddress",
    [
        Field(
            "user",
            Category.PROFESSIONAL,
            purpose="Whose address this is",
            basis="contract",
            visible_to=("self",),
            retention="While your account exists",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "email",
            Category.PROFESSIONAL,
            purpose="Signing you in and sending you notices",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention="While your account exists",
            erasure=Erasure.DELETE,
        ),
    ],
)

declare(
    "account.EmailConfirmation",
    [
        Field(
            "email_address",
            Category.PLATFORM,
            purpose="Confirming you own an address",
            basis="contract",
            visible_to=("self",),
            retention="Until confirmed or expired",
            erasure=Erasure.DELETE,
        ),
    ],
    subject="email_address__user",
)

declare(
    "mfa.Authenticator",
    [
        Field(
            "user",
            Category.PLATFORM,
            purpose="Whose second factor this is",
            basis="contract",
            visible_to=("self", "security_officer"),
            retention="Until you remove it",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "data",
            Category.PLATFORM,
            purpose="Checking your second factor (TOTP secret and recovery-code seed, "
            "encrypted; passkey public key)",
            basis="contract",
            visible_to=(),
            retention="Until you remove it",
            erasure=Erasure.DELETE,
        ),
        Field(
            "last_used_at",
            Category.PLATFORM,
            purpose="Showing you when it was last used",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Until you remove it",
            erasure=Erasure.DELETE,
        ),
    ],
)

declare(
    "usersessions.UserSession",
    [
        Field(
            "user",
            Category.PLATFORM,
            purpose="Listing your signed-in devices",
            basis="legitimate_interest",
            visible_to=("self", "security_officer"),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "ip",
            Category.PLATFORM,
            purpose="Letting you recognise a session that is not yours",
            basis="legitimate_interest",
            visible_to=("self", "security_officer"),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "user_agent",
            Category.PLATFORM,
            purpose="Naming the browser of each session",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "last_seen_at",
            Category.PLATFORM,
            purpose="Showing when a session was last used",
            basis="legitimate_interest",
            visible_to=("self", "security_officer"),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "data",
            Category.PLATFORM,
            purpose="Session details kept by the sign-in library",
            basis="legitimate_interest",
            visible_to=(),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
)

# --- Django ----------------------------------------------------------------------------------


def _session_rows(user) -> Q:
    from allauth.usersessions.models import UserSession

    return Q(session_key__in=UserSession.objects.filter(user=user).values("session_key"))


declare(
    "sessions.Session",
    [
        Field(
            "session_data",
            Category.PLATFORM,
            purpose="Keeping you signed in (your account id and sign-in state)",
            basis="contract",
            visible_to=(),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    subject=_session_rows,
)

exempt("auth.Group", "permission groups are named by operators, not after people", fields=["name"])
exempt("auth.Permission", "a permission's name describes an action", fields=["name"])
exempt(
    "django_tasks_database.DBTaskResult",
    "queue and backend names are configuration; task arguments carry identifiers only",
    fields=["queue_name", "backend_name"],
)
