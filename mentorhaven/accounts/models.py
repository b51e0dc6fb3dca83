"""People who sign in, and the personal access tokens they hold for the API."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from mentorhaven.kernel.fields import EncryptedTextField

# An erased account keeps its row (others' records point at it) under an address in this
# reserved domain (RFC 2606), which nobody can receive mail at or sign in with.
ERASED_EMAIL_DOMAIN = "erased.invalid"


def default_time_zone() -> str:
    """The zone of someone who has not chosen one (``MENTORHAVEN_DEFAULT_TIME_ZONE``, UTC)."""
    return settings.DEFAULT_USER_TIME_ZONE


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Public URLs and the API use ``public_id``; the integer key never leaves."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # An IANA zone name from the list (accounts.domain.is_time_zone), never free text: meeting
    # times are stored in UTC and shown and entered in this zone.
    time_zone = models.CharField(max_length=64, default=default_time_zone)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.name if self.is_erased else self.display_name or self.email

    @property
    def is_erased(self) -> bool:
        return self.email.endswith("@" + ERASED_EMAIL_DOMAIN)

    @property
    def name(self) -> str:
        if self.is_erased:
            return gettext("A former participant")
        return self.display_name or self.email.split("@", 1)[0]


class SignedInRequest(HttpRequest):
    """A request that reached a view behind ``login_required``: its ``user`` is a ``User``,
    never ``AnonymousUser``. For type checking only (the request object is Django's own);
    views annotate ``request`` with it, so what they pass as ``actor`` or ``viewer`` is typed."""

    user: User


class ApiToken(models.Model):
    """A personal access token. Only a SHA-256 of the secret is stored; it is shown once."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Read and write"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = EncryptedTextField(subject_field="user")  # the label its owner typed
    prefix = models.CharField(max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SignInDevice(models.Model):
    """A device its person has signed in from, known only by a keyed hash of its browser family
    and the random device cookie set at sign-in (accounts/devices.py): nothing that names the
    browser, the machine or the address is kept. A sign-in from a device not among a person's
    recent ones is announced to them by e-mail."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_devices")
    device_hash = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "device_hash"], name="uniq_sign_in_device")
        ]

    def __str__(self) -> str:
        return f"Sign-in device {self.pk}"


class IdentityProvider(models.Model):
    """An organization's OpenID Connect identity provider: its people sign in through it.

    The client secret is never stored as text: it is wrapped by the master key (the vault's
    KEK, ``accounts/sso.py``), bound to this row's public id and the key version, so a copy of
    the database does not give it away and a wrapped secret moved to another row does not
    unwrap. allauth's own ``SocialApp`` table stays empty: its apps are built from these rows
    when a sign-in needs one (``accounts/social_adapter.py``).
    """

    class SecondFactor(models.TextChoices):
        # MentorHaven's own second factor, as for a password sign-in (the default).
        OURS = "ours", "MentorHaven asks for its own second factor"
        # The provider did it: the ID token must carry one of the configured amr/acr values.
        DELEGATED_CLAIM = "claim", "The provider's amr/acr claim must show a second factor"
        # The provider did it, trusted without a claim (for providers that send none).
        DELEGATED_TRUSTED = "trusted", "Trust the provider for the second factor"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.OneToOneField(
        "programs.Organization", on_delete=models.CASCADE, related_name="identity_provider"
    )
    name = models.CharField(max_length=100)
    issuer = models.URLField(max_length=300)
    client_id = models.CharField(max_length=200)
    # The client secret, wrapped by the master key (``accounts/sso.py``); ``keys rotate``
    # re-wraps it with the other keys objects own.
    wrapped_key = models.BinaryField()
    kek_version = models.CharField(max_length=32)
    # Lower-case e-mail domains, one a line: addresses there may join on first sign-in.
    domains = models.TextField()
    second_factor = models.CharField(
        max_length=8, choices=SecondFactor.choices, default=SecondFactor.OURS
    )
    # With ``claim``: the amr values (RFC 8176, e.g. "mfa", "otp", "hwk") or acr values that
    # show a second factor, one a line; any one of them is enough.
    accepted_mfa_claims = models.TextField(blank=True)
    end_provider_session = models.BooleanField(default=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Identity provider {self.pk}"

    @property
    def provider_id(self) -> str:
        """allauth's name for this provider (in the sign-in and callback URLs)."""
        return f"org-{self.public_id.hex}"

    def domain_list(self) -> list[str]:
        return [d.strip().lower() for d in self.domains.splitlines() if d.strip()]

    def mfa_claim_list(self) -> list[str]:
        return [c.strip() for c in self.accepted_mfa_claims.splitlines() if c.strip()]
