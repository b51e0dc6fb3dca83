"""Personal data held by the matching app: profiles, answers, consents, exclusions, matches."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare

PROFILE_RETENTION = "While you take part in the program, then 12 months"
MATCH_RETENTION = "Program end + 1 year"
PERSONAL, PROGRAM, PROFESSIONAL = Category.PERSONAL, Category.PROGRAM, Category.PROFESSIONAL
ANALYTICAL = Category.ANALYTICAL

declare(
    "matching.Profile",
    [
        Field(
            "user",
            PROGRAM,
            purpose="Whose program profile this is",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention=PROFILE_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "headline",
            PROFESSIONAL,
            purpose="A line about you shown to possible matches",
            basis="contract",
            visible_to=("self", "mentor", "mentee", "program_admin"),
            retention=PROFILE_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "goals",
            PERSONAL,
            purpose="What you hope to get from the program, compared with the goals of "
            "others for matching (encrypted under your key)",
            basis="contract",
            visible_to=("self",),
            retention=PROFILE_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "capacity",
            PROGRAM,
            purpose="How many mentees a mentor takes at once, and whether they pause",
            basis="contract",
            visible_to=("self", "program_admin"),
            retention=PROFILE_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    description="Your profile in a program: headline, goals, and (mentors) capacity.",
)

declare(
    "matching.Answer",
    [
        Field(
            "user",
            PROGRAM,
            purpose="Whose answer this is",
            basis="contract",
            visible_to=("self",),
            retention=PROFILE_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "value",
            PERSONAL,
            purpose="Your questionnaire answers, used for matching (sensitive ones only with "
            "your consent; encrypted under your key)",
            basis="contract",
            visible_to=("self",),
            retention=PROFILE_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    description="Your answers to the questionnaire of the program.",
)

declare(
    "matching.MatchingConsent",
    [
        Field(
            "user",
            PROGRAM,
            purpose="That you allowed one sensitive answer to be used for matching",
            basis="consent",
            visible_to=("self",),
            retention="Until you withdraw it",
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    description="Your consents to use sensitive answers for matching.",
)

declare(
    "matching.Exclusion",
    [
        Field(
            "person",
            PROGRAM,
            purpose="Someone you asked not to be matched with, or a manager pair",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=PROFILE_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "other",
            PROGRAM,
            purpose="The person not to be matched with",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=PROFILE_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "created_by",
            PROGRAM,
            purpose="Who entered the exclusion",
            basis="legitimate_interest",
            visible_to=("program_admin",),
            retention=PROFILE_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    description="People you must not be matched with.",
)

declare(
    "matching.MatchRun",
    [
        Field(
            "created_by",
            PROGRAM,
            purpose="Which admin ran the matching",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
    ],
    description="Program-wide matching runs you started as an admin.",
)

declare(
    "matching.MatchPair",
    [
        Field(
            "mentee",
            ANALYTICAL,
            purpose="A proposed pairing in a matching draft",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "mentor",
            ANALYTICAL,
            purpose="The mentor proposed in a matching draft",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "score",
            ANALYTICAL,
            purpose="How well the pair fits (for admins reviewing the draft)",
            basis="contract",
            visible_to=("program_admin", "org_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "factors",
            ANALYTICAL,
            purpose="Why the pair was proposed, in words (never a sensitive answer)",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    description="Pairs proposed in matching drafts.",
)

declare(
    "matching.MatchExplanation",
    [
        Field(
            "factors",
            ANALYTICAL,
            purpose="Why you were matched, in words (never a sensitive answer)",
            basis="contract",
            visible_to=("self", "program_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "score",
            ANALYTICAL,
            purpose="How well the pair fits (admins only)",
            basis="contract",
            visible_to=("program_admin",),
            retention=MATCH_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    subject="relationship__mentee",
    description="Why you and your mentoring partner were matched.",
)
