"""Personal data held by the matching app: profiles, answers, consents, exclusions, matches."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

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
            label="Whose profile it is",
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
            label="Your headline",
            free_text=True,
            purpose="A line about you shown to possible matches (encrypted under your key)",
            basis="contract",
            visible_to=("self", "mentor", "mentee", "program_admin"),
            retention=PROFILE_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "goals",
            PERSONAL,
            label="What you hope to get from the program",
            free_text=True,
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
            label="How many mentees you take",
            purpose="How many mentees a mentor takes at once, and whether they pause",
            basis="contract",
            visible_to=("self", "program_admin"),
            retention=PROFILE_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your program profiles",
    description="Your profile in a program: headline, goals, and (mentors) capacity.",
)

declare(
    "matching.Answer",
    [
        Field(
            "user",
            PROGRAM,
            label="Whose answer it is",
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
            label="Your answer",
            free_text=True,
            purpose="Your questionnaire answers, used for matching (sensitive ones only with "
            "your consent; encrypted under your key)",
            basis="contract",
            visible_to=("self",),
            retention=PROFILE_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Your questionnaire answers",
    description="Your answers to the questionnaire of the program.",
)

declare(
    "matching.MatchingConsent",
    [
        Field(
            "user",
            PROGRAM,
            label="That you agreed",
            purpose="That you allowed one sensitive answer to be used for matching",
            basis="consent",
            visible_to=("self",),
            retention="Until you withdraw it",
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Your consents for sensitive answers",
    description="Your consents to use sensitive answers for matching.",
)

declare(
    "matching.Exclusion",
    [
        Field(
            "person",
            PROGRAM,
            label="Who asked",
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
            label="The person not to be matched with",
            purpose="The person not to be matched with",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=PROFILE_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "created_by",
            PROGRAM,
            label="Who entered it",
            purpose="Who entered the exclusion",
            basis="legitimate_interest",
            visible_to=("program_admin",),
            retention=PROFILE_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="People you are not to be matched with",
    description="People you must not be matched with.",
)

declare(
    "matching.MatchRun",
    [
        Field(
            "created_by",
            PROGRAM,
            label="Which admin ran it",
            purpose="Which admin ran the matching",
            basis="legitimate_interest",
            visible_to=("self", "program_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.ANONYMIZE,
            subject=True,
        ),
    ],
    record="Matching runs you started",
    description="Program-wide matching runs you started as an admin.",
)

declare(
    "matching.MatchPair",
    [
        Field(
            "mentee",
            ANALYTICAL,
            label="The mentee of the proposed pair",
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
            label="The mentor proposed",
            purpose="The mentor proposed in a matching draft",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "score",
            ANALYTICAL,
            label="How well the pair fits",
            purpose="How well the pair fits, for admins reviewing the draft (encrypted under the "
            "mentee's key)",
            basis="contract",
            visible_to=("program_admin", "org_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "factors",
            ANALYTICAL,
            label="Why the pair was proposed",
            purpose="Why the pair was proposed, in words, never a sensitive answer (encrypted "
            "under the mentee's key)",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Pairs proposed in matching drafts",
    description="Pairs proposed in matching drafts.",
)

declare(
    "matching.MatchExplanation",
    [
        Field(
            "mentee",
            ANALYTICAL,
            label="The mentee of the match",
            purpose="Whose key encrypts the explanation (the mentee's)",
            basis="contract",
            visible_to=("self", "program_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "factors",
            ANALYTICAL,
            label="Why you were matched",
            purpose="Why you were matched, in words, never a sensitive answer (encrypted under "
            "the mentee's key)",
            basis="contract",
            visible_to=("self", "program_admin"),
            retention=MATCH_RETENTION,
            erasure=Erasure.SHRED,
        ),
        Field(
            "score",
            ANALYTICAL,
            label="How well you fit",
            purpose="How well the pair fits, for admins only (encrypted under the mentee's key)",
            basis="contract",
            visible_to=("program_admin",),
            retention=MATCH_RETENTION,
            erasure=Erasure.SHRED,
        ),
    ],
    record="Why you were matched",
    description="Why you and your mentoring partner were matched.",
)

exempt(
    "matching.Question",
    "the program's questionnaire, written by its organizers: prompt, options, scale, weight and "
    "order say nothing about a person (answers are declared above)",
    fields=["prompt", "options", "scale_min", "scale_max", "weight", "position"],
)
exempt(
    "matching.MatchRun",
    "program-wide statistics of a run: the method, head counts, sums over all its pairs and the "
    "bound on how far the whole assignment is from the best one, never one pair's score",
    fields=[
        "method",
        "mentees",
        "mentors",
        "total",
        "coverage",
        "greedy_total",
        "greedy_coverage",
        "optimality_gap",
    ],
)
declare(
    "matching.WaitlistEntry",
    [
        Field(
            "mentee",
            PROGRAM,
            label="You are waiting for a free mentor",
            purpose="Tell you once when a mentor who may take you has a free seat",
            basis="contract",
            visible_to=("self",),
            retention="Until you are told, ask a mentor, are matched or leave the waitlist",
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Your place on a waitlist",
    description="That you asked to be told when a mentor is free, and when you were told.",
)
declare(
    "matching.StoredSuggestions",
    [
        Field(
            "mentee",
            ANALYTICAL,
            label="Whose suggestions they are",
            purpose="Whose key encrypts the stored suggestions (the mentee's)",
            basis="contract",
            visible_to=("self",),
            retention="Until anything they are computed from changes, or the program ends",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "picks",
            ANALYTICAL,
            label="Mentors suggested to you",
            purpose="The mentors suggested to you and why, in words, never a sensitive answer "
            "(encrypted under your key), kept so the page does not recompute them on every visit",
            basis="contract",
            visible_to=("self",),
            retention="Until anything they are computed from changes, or the program ends",
            erasure=Erasure.SHRED,
        ),
    ],
    record="Mentors suggested to you",
    description="The mentors last suggested to you and why, until anything they depend on changes.",
)
exempt(
    "matching.InputChange",
    "a program's id and a time: that something matching uses changed, not what or whose",
    fields=["program"],
)
exempt(
    "matching.StoredSuggestions",
    "the number of the change the suggestions were computed at: a counter, nothing about a person",
    fields=["inputs"],
)
