import pytest

from mentorhaven.mentoring.demo import seed_mentoring_demo
from mentorhaven.mentoring.models import Goal, Meeting, Note, Relationship

pytestmark = pytest.mark.django_db


def test_demo_creates_two_active_relationships_with_content_once(personas):
    assert len(seed_mentoring_demo()) == 2
    assert seed_mentoring_demo() == []
    assert Relationship.objects.filter(status="active").count() == 2
    assert Goal.objects.count() == 2
    assert Meeting.objects.filter(status="scheduled").count() == 2
    assert sorted(Note.objects.values_list("shared", flat=True)) == [False, False, True, True]
