"""What a data export holds from the incident register (privacy/export/registry.py): nothing
directly; why each model is left out."""

from mentorhaven.privacy.export.registry import exclude

exclude(
    "incidents.Incident",
    "an incident record is the security officers' investigation of a breach; a person whose "
    "data it touched is told through a notification, which is in the notifications section",
)
exclude(
    "incidents.IncidentEntry",
    "a line of a security incident's log, written by an officer during an investigation; the "
    "incident itself is excluded for the same reason",
)
exclude(
    "incidents.Alert",
    "a monitoring alert is a security record kept from the account it flags while it is looked "
    "into; an incident that follows is told to the people it affects",
)
