"""Models of the privacy app (defined in their packages)."""

from mentorhaven.privacy.erasure.models import ErasureRequest, SafeguardingCase

__all__ = ["ErasureRequest", "SafeguardingCase"]
