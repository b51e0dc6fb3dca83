"""Forms of the relationship pages. They parse input only; services validate and write."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorhaven.accounts.models import User
from mentorhaven.mentoring.domain import AmbiguousLocalTime, NonexistentLocalTime, local_to_aware
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Membership, Program
from mentorhaven.widgets import LongSelect


class AcceptForm(forms.Form):
    agreement = forms.BooleanField(
        label="I have read the confidentiality agreement and accept it", required=True
    )
    goals = forms.BooleanField(
        label="I agree to work on the goals of this relationship together", required=True
    )


class GoalForm(forms.Form):
    title = forms.CharField(label="Goal", max_length=200)
    description = forms.CharField(
        label="Description (only you and your mentor can read it)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
    )


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("open", "In progress"), ("done", "Achieved"), ("dropped", "Dropped")],
    )


class ProgressForm(forms.Form):
    body = forms.CharField(
        label="Progress update", widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label="Milestone", max_length=200)
    due_on = forms.DateField(
        label="Due on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000
    )
    shared = forms.BooleanField(
        label="Share with the other participant (otherwise only you can read it)", required=False
    )


class LocalDateTimeField(forms.DateTimeField):
    """A time as the person's clock shows it, read in their zone (the one activated for the
    request, accounts.middleware). A time the clock skips or shows twice that day is a form
    error naming the zone, never a guess and never an error page."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            if timezone.is_aware(value):
                return value
            wall = value
        else:
            wall = self._parse(str(value).strip())
        zone = timezone.get_current_timezone()
        shown = {"time": wall.strftime("%Y-%m-%d %H:%M"), "zone": str(zone)}
        try:
            return local_to_aware(wall, zone)
        except NonexistentLocalTime:
            raise forms.ValidationError(
                _(
                    "%(time)s does not exist in %(zone)s: the clocks go forward then. "
                    "Choose another time."
                ),
                code="nonexistent_time",
                params=shown,
            ) from None
        except AmbiguousLocalTime:
            raise forms.ValidationError(
                _(
                    "%(time)s happens twice in %(zone)s: the clocks go back then. "
                    "Choose another time."
                ),
                code="ambiguous_time",
                params=shown,
            ) from None

    def _parse(self, text: str) -> datetime:
        for fmt in self.input_formats or ():
            try:
                return datetime.strptime(text, fmt)
            except (ValueError, TypeError):
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def _slot_field(label: str, required: bool) -> forms.DateTimeField:
    return LocalDateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class MeetingForm(forms.Form):
    slot_1 = _slot_field("First possible time", True)
    slot_2 = _slot_field("Second possible time (optional)", False)
    slot_3 = _slot_field("Third possible time (optional)", False)
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=15, max_value=480, initial=60
    )
    location = forms.CharField(label="Place or video link", max_length=500, required=False)
    agenda = forms.CharField(
        label="Agenda (only the two of you can read it)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
    )

    def slots(self) -> list[datetime]:
        """The offered times, aware (read in the proposer's zone by the fields)."""
        found = []
        for name in ("slot_1", "slot_2", "slot_3"):
            value = self.cleaned_data.get(name)
            if value is not None:
                found.append(value)
        return found


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How did the meeting go?",
        coerce=int,
        choices=[(5, "5 - very good"), (4, "4"), (3, "3"), (2, "2"), (1, "1 - poor")],
    )
    comment = forms.CharField(
        label="Comment (optional; admins only ever see how many people commented)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


END_REASON_CHOICES = [
    (Relationship.EndReason.GOALS_MET.value, _("We met our goals")),
    (Relationship.EndReason.NOT_A_FIT.value, _("It is not a good fit")),
    (Relationship.EndReason.SAFETY.value, _("A safety concern")),
    (Relationship.EndReason.LEFT_PROGRAM.value, _("Someone is leaving the program")),
]


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why does it end?"), choices=END_REASON_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_(
            "A note (optional; encrypted, read by you and the program's coordinators, "
            "never by the other person)"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class _MentorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj.name)


class RematchForm(forms.Form):
    """End with a reason and propose another mentor of the same program for the mentee."""

    mentor = _MentorChoice(
        label=_("New mentor"),
        queryset=User.objects.none(),
        to_field_name="public_id",
        widget=LongSelect,
    )
    reason = forms.ChoiceField(
        label=_("Why does the current relationship end?"),
        choices=END_REASON_CHOICES,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("A note (optional; encrypted, for the coordinators)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, program: Program, exclude: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        mentors = Membership.objects.filter(program=program, role=Membership.Role.MENTOR)
        field = self.fields["mentor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(pk__in=mentors.values("user_id"))
            .exclude(pk=exclude.pk)
            .order_by("display_name")
        )


class ClosingSurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did the mentoring relationship go?"),
        coerce=int,
        choices=[(5, _("5 - very good")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 - poor"))],
    )
    comment = forms.CharField(
        label=_(
            "Comment (optional; encrypted; coordinators only ever see totals over many people)"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
