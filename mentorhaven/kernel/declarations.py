"""Declarations for the kernel's own tables and for third-party models we install.

Third-party apps cannot carry our ``inventory.py``, so what they keep about people (allauth's
addresses, second factors and sessions; Django's sessions) is declared here.
"""

from django.db.models import Q

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt
from mentorhaven.kernel.people import Person

SESSION_RETENTION = "Until you sign out or the session expires (8 hours)"


def _nothing() -> Q:
    return Q(pk__in=[])


# --- kernel ----------------------------------------------------------------------------------


def _subject_key_rows(user: Person) -> Q:
    return Q(subject_id=user.pk)


declare(
    "kernel.SubjectKey",
    [
        Field(
            "subject_id",
            Category.PLATFORM,
            label="Whose key it is",
            purpose="Whose data key this is",
            basis="contract",
            visible_to=(),
            retention="Kept as a tombstone after erasure",
            erasure=Erasure.UNLINK,
        ),
        Field(
            "wrapped_key",
            Category.PLATFORM,
            label="Your data key, itself encrypted",
            purpose="Encrypting your content (stored wrapped by the master key)",
            basis="contract",
            visible_to=(),
            retention="Until erasure",
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "wrapped_secret",
            Category.PLATFORM,
            label="Your pseudonym secret, itself encrypted",
            purpose="Making your audit-log pseudonym (stored wrapped by the master key)",
            basis="contract",
            visible_to=(),
            retention="Until erasure",
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="Your encryption key",
    description="Your data key: destroying it makes everything encrypted under it unreadable.",
    subject=_subject_key_rows,
)


def _audit_rows(user: Person) -> Q:
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
            label="Who did something (a pseudonym)",
            purpose="Recording who did something, as a keyed pseudonym",
            basis="legitimate_interest",
            visible_to=("self", "auditor", "security_officer"),
            retention="Kept for accountability; unlinkable from you once you are erased",
            erasure=Erasure.UNLINK,
        ),
        Field(
            "subject",
            Category.PLATFORM,
            label="Whose data it was about (a pseudonym)",
            purpose="Recording whose data was read or changed, as a keyed pseudonym",
            basis="legitimate_interest",
            visible_to=("self", "auditor", "security_officer"),
            retention="Kept for accountability; unlinkable from you once you are erased",
            erasure=Erasure.UNLINK,
        ),
        Field(
            "target_id",
            Category.PLATFORM,
            label="What it was about (a pseudonym keyed to you)",
            purpose="Recording what was read or changed, as a pseudonym keyed to you",
            basis="legitimate_interest",
            visible_to=("self", "auditor", "security_officer"),
            retention="Kept for accountability; unlinkable from you once you are erased",
            erasure=Erasure.UNLINK,
        ),
    ],
    record="Audit log entries",
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
            label="Whose address it is",
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
            label="Your e-mail address",
            purpose="Signing you in and sending you notices",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention="While your account exists",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your e-mail addresses",
)

declare(
    "account.EmailConfirmation",
    [
        Field(
            "email_address",
            Category.PLATFORM,
            label="The address being confirmed",
            purpose="Confirming you own an address",
            basis="contract",
            visible_to=("self",),
            retention="Until confirmed or expired",
            erasure=Erasure.DELETE,
        ),
        Field(
            "key",
            Category.PLATFORM,
            label="The confirmation code we e-mailed you",
            purpose="Checking the link you follow to confirm the address",
            basis="contract",
            visible_to=(),
            retention="Until confirmed or expired",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Address confirmations",
    subject="email_address__user",
)

declare(
    "mfa.Authenticator",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="Whose second factor it is",
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
            label="Your second factor's secret or public key",
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
            label="When you last used it",
            purpose="Showing you when it was last used",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="Until you remove it",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your second factors (authenticator app, recovery codes, passkeys)",
)

SSO_LINK_RETENTION = "While your account exists"

declare(
    "socialaccount.SocialAccount",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="Whose sign-in link it is",
            purpose="Signing you in through your organization's sign-in provider",
            basis="contract",
            visible_to=("self", "security_officer"),
            retention=SSO_LINK_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "provider",
            Category.PLATFORM,
            label="Which organization's provider you sign in through",
            purpose="Signing you in through your organization's sign-in provider",
            basis="contract",
            visible_to=("self", "security_officer"),
            retention=SSO_LINK_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "uid",
            Category.PLATFORM,
            label="Your identifier at that provider",
            purpose="Recognising you when the provider signs you in again",
            basis="contract",
            visible_to=("self", "security_officer"),
            retention=SSO_LINK_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "extra_data",
            Category.PLATFORM,
            label="How the provider last signed you in",
            purpose="Checking the second factor the provider reports (issuer, identifier, "
            "amr and acr only: no name or address is kept from it)",
            basis="contract",
            visible_to=("self", "security_officer"),
            retention=SSO_LINK_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your link to your organization's sign-in provider",
)

exempt(
    "socialaccount.SocialApp",
    "unused: sign-in providers are built in memory from accounts.IdentityProvider (their client "
    "secret wrapped by the master key), so this table of allauth's stays empty",
    fields=["name", "provider", "provider_id", "client_id", "secret", "key", "settings"],
)
exempt(
    "socialaccount.SocialToken",
    "unused: SOCIALACCOUNT_STORE_TOKENS is off, so no provider token is ever written here",
    fields=["token", "token_secret"],
)

declare(
    "usersessions.UserSession",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="Whose session it is",
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
            label="The network address it came from",
            purpose="Letting you recognise a session that is not yours",
            basis="legitimate_interest",
            visible_to=("self", "security_officer"),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "user_agent",
            Category.PLATFORM,
            label="The browser it uses",
            purpose="Naming the browser of each session",
            basis="legitimate_interest",
            visible_to=("self",),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "last_seen_at",
            Category.PLATFORM,
            label="When it was last used",
            purpose="Showing when a session was last used",
            basis="legitimate_interest",
            visible_to=("self", "security_officer"),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "data",
            Category.PLATFORM,
            label="Technical details of the session",
            purpose="Session details kept by the sign-in library",
            basis="legitimate_interest",
            visible_to=(),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "session_key",
            Category.PLATFORM,
            label="Which session it is",
            purpose="Ending the session when you sign it out from another device",
            basis="legitimate_interest",
            visible_to=(),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your signed-in devices",
)

# --- Django ----------------------------------------------------------------------------------


def _session_rows(user: Person) -> Q:
    from allauth.usersessions.models import UserSession

    return Q(session_key__in=UserSession.objects.filter(user=user).values("session_key"))


declare(
    "sessions.Session",
    [
        Field(
            "session_data",
            Category.PLATFORM,
            label="That you are signed in",
            purpose="Keeping you signed in (your account id and sign-in state)",
            basis="contract",
            visible_to=(),
            retention=SESSION_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your sign-in sessions",
    subject=_session_rows,
)

exempt("auth.Group", "permission groups are named by operators, not after people", fields=["name"])
exempt(
    "auth.Permission",
    "a permission's name and code describe an action",
    fields=["name", "codename"],
)
exempt(
    "contenttypes.ContentType",
    "the names of installed apps and models, written by developers",
    fields=["app_label", "model"],
)
exempt(
    "django_tasks_database.DBTaskResult",
    "queue and backend names, the task's code path and priority, and the worker ids are "
    "configuration; task arguments and results carry identifiers and counts only (a task "
    "receives ids and loads what it needs through a selector); our errors carry identifiers "
    "only, so neither do failure class names and tracebacks",
    fields=[
        "queue_name",
        "backend_name",
        "task_path",
        "priority",
        "worker_ids",
        "args_kwargs",
        "return_value",
        "exception_class_path",
        "traceback",
    ],
)
exempt(
    "kernel.SubjectKey",
    "the name of the master-key version that wraps the key",
    fields=["kek_version"],
)
exempt(
    "kernel.AuditEvent",
    "identifiers, fixed phrases and codes chosen by the code (audit.record refuses content), and "
    "the hashes that chain the log",
    fields=[
        "seq",
        "actor_role",
        "action",
        "target_type",
        "purpose",
        "category",
        "organization_id",
        "extra",
        "prev_hash",
        "hash",
    ],
)
exempt(
    "kernel.AuditCheckpoint",
    "a position in the audit log, its hash, and the signature over them",
    fields=["seq", "hash", "key_id", "signature"],
)
exempt(
    "kernel.IntegrityNotice",
    "which organization's security officers were alerted in which hour: no person, no content",
    fields=["organization_id"],
)
exempt(
    "kernel.ScheduledJob",
    "a periodic job's state (name, last run, lease, error class): no person, no content",
    fields=["name", "last_error", "runs"],
)
