"""Forms for inviting people (one at a time, or many from a CSV file), for the first-run page
and for setting programs up."""

from __future__ import annotations

import csv
import io

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.programs import domain
from mentorhaven.programs.models import Membership, OrgMembership, Program
from mentorhaven.programs.selectors import PROGRAM_ADMIN_INVITABLE_ROLES, InviteScope
from mentorhaven.programs.services import ImportRow

MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 2000
CSV_COLUMNS = ("email", "role", "program", "display_name")


def role_choices(scope: InviteScope) -> list[tuple[str, str]]:
    choices = [(r.value, r.label) for r in Membership.Role if r in PROGRAM_ADMIN_INVITABLE_ROLES]
    if scope.is_org_admin:
        choices.append((Membership.Role.PROGRAM_ADMIN.value, Membership.Role.PROGRAM_ADMIN.label))
        choices += [(r.value, r.label) for r in OrgMembership.Role]
    return choices


def _program_field(scope: InviteScope, *, required: bool, label) -> forms.ModelChoiceField:
    programs = scope.programs()
    field = forms.ModelChoiceField(
        queryset=scope.organization.programs.filter(pk__in=[p.pk for p in programs]),
        required=required,
        label=label,
        to_field_name="slug",
        empty_label=_("— none (organization role) —") if scope.is_org_admin else None,
    )
    if len(programs) == 1 and not scope.is_org_admin:
        field.initial = programs[0].slug
    return field


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    display_name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, scope: InviteScope, **kwargs):
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = role_choices(scope)
        self.fields["program"] = _program_field(
            scope, required=not scope.is_org_admin, label=_("Program")
        )
        self.order_fields(["email", "display_name", "role", "program"])


def parse_invitation_csv(data: bytes) -> list[ImportRow]:
    """Rows of an invitation CSV: ``email, role[, program][, display_name]``.

    A first row naming the columns is optional. Line numbers are the file's own, so an admin
    can find each reported problem in their spreadsheet.
    """
    if len(data) > MAX_CSV_BYTES:
        raise forms.ValidationError(_("The file is larger than 1 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise forms.ValidationError(_("Save the file as UTF-8 CSV and try again.")) from exc
    rows: list[ImportRow] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for record in reader:
            line = reader.line_num
            cells = [c.strip() for c in record]
            if not any(cells):
                continue
            if not rows and line == 1 and cells[0].lower() in ("email", "e-mail"):
                continue  # the header
            cells += [""] * (len(CSV_COLUMNS) - len(cells))
            rows.append(
                ImportRow(
                    line=line,
                    email=cells[0],
                    role=cells[1],
                    program_slug=cells[2],
                    display_name=cells[3],
                )
            )
            if len(rows) > MAX_CSV_ROWS:
                raise forms.ValidationError(
                    _("A file may hold at most %(max)d rows.") % {"max": MAX_CSV_ROWS}
                )
    except csv.Error as exc:
        raise forms.ValidationError(
            _("Line %(line)d is not valid CSV.") % {"line": reader.line_num}
        ) from exc
    if not rows:
        raise forms.ValidationError(_("The file holds no rows."))
    return rows


class BulkInvitationForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email, role, program (slug, optional), display_name (optional). "
            "Roles: mentee, mentor, program_admin, member, org_admin, auditor, security_officer."
        ),
    )

    def __init__(self, *args, scope: InviteScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_program"] = _program_field(
            scope, required=False, label=_("Program for rows without one")
        )

    def clean_file(self) -> list[ImportRow]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return parse_invitation_csv(upload.read())


# --- starting from an empty install, and setting programs up ---------------------------------


class SetupForm(forms.Form):
    token = forms.CharField(
        label=_("Set-up token"),
        max_length=128,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Printed on the server by “mentorhaven run” or “mentorhaven setup-token”."),
    )
    name = forms.CharField(label=_("Organization name"), max_length=200)
    slug = forms.SlugField(
        label=_("Organization address"),
        max_length=80,
        help_text=_("Lower-case letters, digits and hyphens, e.g. “acme-mentoring”."),
    )
    admin_email = forms.EmailField(label=_("E-mail address of its first admin"))
    admin_name = forms.CharField(
        label=_("Name of its first admin (optional)"), max_length=150, required=False
    )


class ProgramCreateForm(forms.Form):
    name = forms.CharField(label=_("Program name"), max_length=200)
    slug = forms.SlugField(
        label=_("Program address"),
        max_length=80,
        help_text=_("Lower-case letters, digits and hyphens, e.g. “spring-2027”."),
    )
    kind = forms.ChoiceField(label=_("Format"), choices=Program.Kind.choices)


def _optional_number(label, bound: domain.Bound, help_text) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=bound.low,
        max_value=bound.high,
        help_text=help_text,
    )


MATCHING_MODE_CHOICES = [
    ("admin", _("Coordinators match")),
    ("mentee_request", _("Mentees request a mentor")),
    ("both", _("Both")),
]


class ProgramEditForm(forms.Form):
    """A program's details and settings; an empty number puts the default back."""

    name = forms.CharField(label=_("Program name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=domain.MAX_DESCRIPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Everyone in the program reads it, and it is stored unencrypted: write about the "
            "program, never about a person."
        ),
    )
    kind = forms.ChoiceField(label=_("Format"), choices=Program.Kind.choices)
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confidentiality_agreement = forms.CharField(
        label=_("Confidentiality agreement both people accept"),
        required=False,
        max_length=domain.MAX_AGREEMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Leave empty for MentorHaven's standard agreement. Stored unencrypted, like the "
            "description: never write about a person here."
        ),
    )
    matching_mode = forms.ChoiceField(label=_("How pairs form"), choices=MATCHING_MODE_CHOICES)
    mentor_capacity = _optional_number(
        _("Mentees per mentor (default)"),
        domain.INTEGER_SETTINGS["mentor_capacity"],
        _("Empty: each mentor's own choice."),
    )
    min_group_size = _optional_number(
        _("Smallest group shown in figures"),
        domain.INTEGER_SETTINGS["min_group_size"],
        _("Figures about fewer people are never shown; at least 5."),
    )
    idle_days = _optional_number(
        _("Days without activity before a nudge"),
        domain.INTEGER_SETTINGS["idle_days"],
        _("Empty: 21 days."),
    )

    @staticmethod
    def initial_for(program: Program) -> dict:
        settings = program.settings or {}
        return {
            "name": program.name,
            "description": program.description,
            "kind": program.kind,
            "starts_on": program.starts_on,
            "ends_on": program.ends_on,
            "confidentiality_agreement": settings.get("confidentiality_agreement", ""),
            "matching_mode": settings.get("matching_mode", domain.DEFAULT_MATCHING_MODE),
            **{key: settings.get(key) for key in domain.INTEGER_SETTINGS},
        }
