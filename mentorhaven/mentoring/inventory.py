"""Personal data held by the mentoring app."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare

RELATIONSHIP_RETENTION = "Program end + 1 year"

declare(
    "mentoring.Relationship",
    [
        Field("mentee", Category.PROGRAM, purpose="Who is mentored in this relationship",
              basis="contract", visible_to=("self", "mentor", "program_admin", "org_admin"),
              retention=RELATIONSHIP_RETENTION, erasure=Erasure.DELETE, subject=True),
        Field("mentor", Category.PROGRAM, purpose="Who mentors in this relationship",
              basis="contract", visible_to=("self", "mentee", "program_admin", "org_admin"),
              retention=RELATIONSHIP_RETENTION, erasure=Erasure.DELETE),
        Field("ended_by", Category.PROGRAM, purpose="Who ended the relationship",
              basis="legitimate_interest", visible_to=("self", "program_admin"),
              retention=RELATIONSHIP_RETENTION, erasure=Erasure.ANONYMIZE),
        Field("end_reason", Category.PROGRAM, purpose="Why the relationship ended (a choice, "
              "never free text)", basis="legitimate_interest",
              visible_to=("self", "program_admin"), retention=RELATIONSHIP_RETENTION,
              erasure=Erasure.DELETE),
    ],
    description="Your mentoring relationships: who, in which program, when, and their status.",
)
