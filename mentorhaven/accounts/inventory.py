"""Personal data held by the accounts app: who you are, and how you sign in."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

ACCOUNT_LIFETIME = "While your account exists"

declare(
    "accounts.User",
    [
        Field(
            "email",
            Category.PROFESSIONAL,
            label="Your e-mail address",
            purpose="Signing you in and sending you notices",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention=ACCOUNT_LIFETIME,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "display_name",
            Category.PROFESSIONAL,
            label="Your name",
            purpose="Showing who you are to the people in your programs",
            basis="contract",
            visible_to=("self", "mentor", "mentee", "program_peer", "program_admin", "org_admin"),
            retention=ACCOUNT_LIFETIME,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "time_zone",
            Category.PROFESSIONAL,
            label="Your time zone",
            # A name picked from the IANA list (never free text), so it is not encrypted.
            purpose="Showing and taking meeting times in your local time",
            basis="contract",
            visible_to=("self",),
            retention=ACCOUNT_LIFETIME,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "password",
            Category.PLATFORM,
            label="Your password (as a one-way hash)",
            purpose="Checking your password at sign-in (only an Argon2id hash is kept)",
            basis="contract",
            visible_to=(),
            retention=ACCOUNT_LIFETIME,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "last_login",
            Category.PLATFORM,
            label="When you last signed in",
            purpose="Showing you and security staff when the account was last used",
            basis="legitimate_interest",
            visible_to=("self", "security_officer"),
            retention=ACCOUNT_LIFETIME,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "date_joined",
            Category.PLATFORM,
            label="When you joined",
            purpose="Knowing how long you have been a member",
            basis="contract",
            visible_to=("self", "org_admin"),
            retention=ACCOUNT_LIFETIME,
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="Your account",
    description="Your account. On erasure the row stays as an anonymous placeholder so that "
    "other people's records that mention you still make sense.",
    subject="pk",
)

declare(
    "accounts.ApiToken",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="Whose token it is",
            purpose="Whose token this is",
            basis="contract",
            visible_to=("self",),
            retention="Until revoked or expired, then 30 days",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "name",
            Category.PLATFORM,
            label="The name you gave the token",
            free_text=True,
            purpose="The label you gave the token (encrypted under your key)",
            basis="contract",
            visible_to=("self",),
            retention="Until revoked or expired, then 30 days",
            erasure=Erasure.SHRED,
        ),
        Field(
            "last_used_at",
            Category.PLATFORM,
            label="When the token was last used",
            purpose="Letting you spot a token you no longer use",
            basis="legitimate_interest",
            visible_to=("self", "security_officer"),
            retention="Until revoked or expired, then 30 days",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your API tokens",
    description="Personal access tokens for the API (only a hash of the secret is kept).",
)

exempt(
    "accounts.ApiToken",
    "the token's first characters (random, to recognise it in a list) and a SHA-256 of its secret",
    fields=["prefix", "token_hash"],
)

declare(
    "accounts.SignInDevice",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="Whose device it is",
            purpose="Telling you when you sign in from a device you have not used recently",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="90 days after the device was last used (at most your ten latest)",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "first_seen_at",
            Category.PLATFORM,
            label="When you first signed in from the device",
            purpose="Telling you when you sign in from a device you have not used recently",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="90 days after the device was last used (at most your ten latest)",
            erasure=Erasure.DELETE,
        ),
        Field(
            "last_seen_at",
            Category.PLATFORM,
            label="When you last signed in from the device",
            purpose="Telling you when you sign in from a device you have not used recently",
            basis="legitimate_interest",
            visible_to=("self",),
            retention="90 days after the device was last used (at most your ten latest)",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Devices you signed in from",
    description="A keyed hash of each recent device's browser family and a random cookie, "
    "so that only a sign-in from a new device is announced to you by e-mail.",
)

exempt(
    "accounts.SignInDevice",
    "a keyed hash of the browser family and a random device cookie: it recognises a device "
    "seen before and names nothing",
    fields=["device_hash"],
)

exempt(
    "accounts.IdentityProvider",
    "an organization's sign-in provider settings (its name, issuer address, client id, the "
    "client secret wrapped by the master key, its e-mail domains and second-factor rule): "
    "about the organization, never about a person",
    fields=[
        "name",
        "issuer",
        "client_id",
        "wrapped_key",
        "kek_version",
        "domains",
        "accepted_mfa_claims",
    ],
)
