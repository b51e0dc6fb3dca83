from __future__ import annotations

import io

import pytest

from mentorhaven.files.validation import InspectedFile, UploadLimits, inspect_upload
from mentorhaven.kernel.errors import ValidationFailed

MiB = 1024 * 1024


def inspect(data: bytes, name: str, *, max_bytes: int = 25 * MiB, **limits) -> InspectedFile:
    return inspect_upload(
        io.BytesIO(data), declared_name=name, max_bytes=max_bytes, limits=UploadLimits(**limits)
    )


def refusal(data: bytes, name: str, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        inspect(data, name, **kwargs)
    return caught.value
