"""Forms for inviting people: one at a time, or many from a CSV file."""

from __future__ import annotations

import csv
import io

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.programs.models import Membership, OrgMembership
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
