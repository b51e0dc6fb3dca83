"""Uploads cannot exhaust the server: a picture's pixels are bounded from its header before
anything is decoded or turned upright, at most two pictures decode at once per process, a person
has at most two uploads in progress, and people and programs have storage allowances."""

from __future__ import annotations

import io
import struct
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.files.models import StoredFile
from mentorhaven.files.services import uploads
from mentorhaven.files.validation import images
from mentorhaven.files.validation.kinds import JPEG
from mentorhaven.files.validation.limits import DEFAULT_LIMITS, UploadLimits
from mentorhaven.kernel.errors import QuotaExceeded, RateLimited

from .conftest import upload
from .helpers import refusal
from .samples import jpeg_with_gps

pytestmark = pytest.mark.django_db

KB = 1024


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) claims ``width`` x ``height`` pixels: what
    an attacker sends to make the server allocate a huge picture from a small upload."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    # SOF0: marker, length (2), precision (1), height (2), width (2)
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any picture is decoded (or turned upright) at all."""

    def refuse_to_decode(self, *args, **kwargs):
        raise AssertionError("a picture was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)
    monkeypatch.setattr(images.ImageOps, "exif_transpose", refuse_to_decode)


# --- the pixel budget, from the header --------------------------------------------------------


def test_the_penetration_tests_picture_is_refused_from_its_header(no_decoding):
    hostile = jpeg_claiming(7740, 7740)
    assert len(hostile) < 2 * KB
    error = refusal(hostile, "photo.jpg")
    assert error.code == "image_too_large"
    assert error.extra == {"max_pixels": 40_000_000}


def test_one_pixel_over_the_budget_is_refused_without_decoding(no_decoding):
    side = 6325  # 6325 x 6324 = 39,999,300 fits; one more row does not
    assert refusal(jpeg_claiming(side, 6325), "photo.jpg").code == "image_too_large"


def test_a_rotated_photo_over_the_budget_is_refused_before_turning_it(no_decoding):
    rotated = jpeg_with_gps(orientation=6)
    assert refusal(rotated, "photo.jpg", image_max_pixels=799).code == "image_too_large"


def test_the_budget_is_forty_megapixels_by_default():
    assert DEFAULT_LIMITS.image_max_pixels == 40_000_000
    assert DEFAULT_LIMITS.animation_max_pixels <= 40_000_000


# --- two decodes at once per process ----------------------------------------------------------


def test_at_most_two_pictures_decode_at_once(monkeypatch):
    running, peak, lock = [0], [0], threading.Lock()

    def slow_clean(source, *, kind, limits):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.1)
        with lock:
            running[0] -= 1
        return io.BytesIO(b"")

    monkeypatch.setattr(images, "_clean_image", slow_clean)
    small = jpeg_with_gps()

    def clean() -> None:
        images.clean_image(io.BytesIO(small), kind=JPEG, limits=DEFAULT_LIMITS)

    threads = [threading.Thread(target=clean) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == DEFAULT_LIMITS.image_concurrent_decodes == 2


def test_a_picture_that_waits_too_long_for_its_turn_is_refused_as_busy():
    impatient = UploadLimits(image_decode_wait_seconds=0.05)
    taken = [images._DECODING.acquire(timeout=1) for _ in range(2)]
    try:
        assert all(taken)
        with pytest.raises(RateLimited) as caught:
            images.clean_image(io.BytesIO(jpeg_with_gps()), kind=JPEG, limits=impatient)
        assert caught.value.code == "busy"
    finally:
        for _ in taken:
            images._DECODING.release()
    images.clean_image(io.BytesIO(jpeg_with_gps()), kind=JPEG, limits=impatient).close()


# --- two uploads in progress per person -------------------------------------------------------


def test_a_third_upload_at_once_is_refused_with_429(personas, relationship, client):
    _token, secret = api_token_create(actor=None, user=personas.cara, name="t", scope="write")
    with uploads._upload_slot(personas.cara), uploads._upload_slot(personas.cara):
        with pytest.raises(RateLimited) as caught:
            upload(personas.cara, relationship)
        assert caught.value.code == "too_many_uploads"
        response = client.post(
            "/api/v1/files",
            {"file": SimpleUploadedFile("notes.txt", b"hello\n")},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == 429
        assert response.json()["code"] == "too_many_uploads"
        upload(personas.ana, relationship)  # somebody else is not held up
    upload(personas.cara, relationship)  # the slots are given back
    assert StoredFile.objects.filter(uploader=personas.cara).count() == 1


def test_a_refused_upload_gives_its_slot_back(personas, relationship):
    for _ in range(5):
        with pytest.raises(Exception):  # noqa: B017 - any refusal
            upload(personas.cara, relationship, b"\x00\x01binary", "x.bin")
    upload(personas.cara, relationship)


# --- storage allowances -----------------------------------------------------------------------


def _text(kib: int) -> bytes:
    return (b"plain notes line\n" * (kib * KB // 17 + 1))[: kib * KB]


def test_a_person_cannot_store_more_than_their_allowance(personas, relationship, settings):
    settings.FILES_QUOTA_PERSON_MB = 1
    upload(personas.cara, relationship, _text(600), "a.txt")
    with pytest.raises(QuotaExceeded) as caught:
        upload(personas.cara, relationship, _text(600), "b.txt")
    assert caught.value.status == 413 and caught.value.extra["quota"] == "person"
    assert StoredFile.objects.filter(uploader=personas.cara).count() == 1
    upload(personas.cara, relationship, _text(300), "c.txt")  # what still fits, fits
    upload(personas.ana, relationship, _text(600), "d.txt")  # the mentor has their own


def test_a_program_cannot_store_more_than_its_allowance(personas, relationship, settings):
    settings.FILES_QUOTA_PROGRAM_MB = 1
    upload(personas.ana, relationship, _text(600), "a.txt")
    with pytest.raises(QuotaExceeded) as caught:
        upload(personas.cara, relationship, _text(600), "b.txt")
    assert caught.value.extra["quota"] == "program"
    upload(personas.cara, None, _text(600), "own.txt")  # outside the program's space


def test_the_api_and_the_page_explain_a_full_allowance(personas, relationship, settings, login):
    settings.FILES_QUOTA_PERSON_MB = 1
    upload(personas.cara, relationship, _text(1000), "a.txt")
    _token, secret = api_token_create(actor=None, user=personas.cara, name="t", scope="write")
    client = login(personas.cara)
    response = client.post(
        "/api/v1/files",
        {"file": SimpleUploadedFile("b.txt", _text(100))},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "quota_exceeded"
    assert "1 MB" in response.json()["message"]
    page = client.post(
        f"/files/r/{relationship.public_id}/",
        {"file": SimpleUploadedFile("b.txt", _text(100))},
    )
    assert page.status_code == 413
    assert "1 MB of file storage" in page.content.decode()
    assert StoredFile.objects.filter(uploader=personas.cara).count() == 1
