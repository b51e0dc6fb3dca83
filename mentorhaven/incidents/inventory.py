"""The incident register's personal data: who opened an incident, the account it is about,
and what the security officers wrote (encrypted under each writer's key)."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

INCIDENT_RETENTION = "6 years after the incident is closed (evidence of how a breach was handled)"
OFFICERS = ("security_officer",)

declare(
    "incidents.Incident",
    [
        Field(
            "opened_by",
            Category.PLATFORM,
            label="Who opened a security incident",
            purpose="Accountability for incident handling",
            basis="legal_obligation",
            visible_to=("self", *OFFICERS),
            retention=INCIDENT_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "account",
            Category.PLATFORM,
            label="That your account was believed compromised in a security incident",
            purpose="Containing a breach and finding whose data it touched",
            basis="legal_obligation",
            visible_to=OFFICERS,
            retention=INCIDENT_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "description",
            Category.PLATFORM,
            label="What a security officer wrote about an incident (free text)",
            free_text=True,
            purpose="Investigating and documenting a breach (encrypted under the officer's key)",
            basis="legal_obligation",
            visible_to=("self", *OFFICERS),
            retention=INCIDENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "affected_systems",
            Category.PLATFORM,
            label="Which systems an incident affected (free text)",
            free_text=True,
            purpose="Investigating and documenting a breach (encrypted under the officer's key)",
            basis="legal_obligation",
            visible_to=("self", *OFFICERS),
            retention=INCIDENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Security incidents",
)

declare(
    "incidents.IncidentEntry",
    [
        Field(
            "author",
            Category.PLATFORM,
            label="Who wrote a line of an incident's log",
            purpose="Accountability for incident handling",
            basis="legal_obligation",
            visible_to=("self", *OFFICERS),
            retention=INCIDENT_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "body",
            Category.PLATFORM,
            label="A note, evidence or decision in an incident's log (free text)",
            free_text=True,
            purpose="Documenting a breach (encrypted under its writer's key)",
            basis="legal_obligation",
            visible_to=("self", *OFFICERS),
            retention=INCIDENT_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Security incident logs",
)

declare(
    "incidents.Alert",
    [
        Field(
            "account",
            Category.PLATFORM,
            label="That monitoring flagged unusual activity on your account",
            purpose="Detecting breaches early (ASVS logging and monitoring)",
            basis="legitimate_interest",
            visible_to=OFFICERS,
            retention="1 year, or as long as the incident it became",
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
        Field(
            "dismissed_by",
            Category.PLATFORM,
            label="Who dismissed a security alert",
            purpose="Accountability for incident handling",
            basis="legitimate_interest",
            visible_to=("self", *OFFICERS),
            retention="1 year, or as long as the incident it became",
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
    ],
    record="Security alerts",
)
exempt("incidents.Alert", "how many events the rule counted in its window", fields=["count"])

declare(
    "incidents.IncidentNotice",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="That we told you a security incident may have affected your data",
            purpose="Telling people of a breach that concerns them (GDPR Art. 34)",
            basis="legal_obligation",
            visible_to=("self", *OFFICERS),
            retention=INCIDENT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Security notices",
)
exempt(
    "incidents.IncidentNotice",
    "which fixed notice text was sent (a code chosen by the officer, not about the person)",
    fields=["template"],
)
