import pytest
from django.test import Client
pytestmark = pytest.mark.django_db
@pytest.mark.parametrize("val", ["abc\x00defghijk", "é" * 10, "x" * 5000])
def test_dbg(personas, val):
    c = Client(raise_request_exception=False)
    c.cookies["mh-session"] = val
    r = c.get("/api/v1/me")
    print("DBG", repr(val[:12]), r.status_code, r.content[:100])
