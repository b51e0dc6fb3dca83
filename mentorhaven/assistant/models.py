"""The organization's AI settings and its monthly token use. No person's data is stored here:
a suggestion is kept only when its person accepts it, and then as their own goal."""

from __future__ import annotations

from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone

from mentorhaven.programs.models import Organization


class AssistantSettings(models.Model):
    """One organization's model endpoint: an OpenAI-compatible chat-completions server that the
    organization runs itself (vLLM, llama.cpp, Ollama). Off until an operator turns it on.

    Kept beside the organization (one row each) rather than as columns of it: the endpoint is
    the assistant's concern, and the organization table stays the same for every other app."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="assistant_settings"
    )
    enabled = models.BooleanField(default=False)
    # http or https only: the gateway's HTTP client would also open file:// and ftp:// addresses.
    base_url = models.URLField(
        max_length=300, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    model = models.CharField(max_length=120, blank=True)
    # A file on the server holding the endpoint's API key (never the key itself in the database).
    key_file = models.CharField(max_length=300, blank=True)
    monthly_token_budget = models.PositiveIntegerField(
        default=200_000, validators=[MinValueValidator(0)]
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"AI settings of organization {self.organization_id}"

    @property
    def configured(self) -> bool:
        return bool(self.enabled and self.base_url and self.model)


class TokenUsage(models.Model):
    """Tokens one organization's calls used in one calendar month (UTC), for its budget."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    tokens = models.PositiveBigIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="uniq_ai_usage_month")
        ]

    def __str__(self) -> str:
        return f"AI tokens of organization {self.organization_id} in {self.month:%Y-%m}"
