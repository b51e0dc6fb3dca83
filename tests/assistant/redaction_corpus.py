"""Realistic goal and note texts with the identifiers each holds (the redaction test's corpus).

The participants known to MentorHaven are Maria Lopez (mentee) and James O'Connor (mentor);
everyone else is a third party the texts mention. Each entry: (text, identifiers that must not
survive redaction).
"""

PARTICIPANTS = ["Maria Lopez", "James O'Connor"]

CORPUS: list[tuple[str, list[str]]] = [
    ("Become a confident presenter. James said I should practise with the team first.", ["James"]),
    ("Maria wants to move into product management within a year.", ["Maria"]),
    ("Get promoted to senior engineer. My manager Tom Becker will decide in June.", ["Tom Becker"]),
    ("Write to me at maria.lopez@example.com if the meeting moves.", ["maria.lopez@example.com"]),
    ("My private number is +49 171 2345678, only for emergencies.", ["+49 171 2345678"]),
    ("Call me on (555) 123-4567 after six.", ["(555) 123-4567"]),
    (
        "Improve my Spanish before the move to 221B Baker Street, London NW1 6XE.",
        ["221B Baker Street", "NW1 6XE"],
    ),
    (
        "Shared note: we talked about Maria's conflict with her colleague Priya Raman.",
        ["Maria", "Priya Raman"],
    ),
    ("Ask Dr. Ito whether the certification counts towards the promotion.", ["Ito"]),
    ("Email lopez.m@corp-mail.de with the draft CV.", ["lopez.m@corp-mail.de"]),
    (
        "Next session: James O'Connor shares his notes from the leadership course.",
        ["James O'Connor"],
    ),
    (
        "My mentor James suggested I contact his friend Anna Schmidt at Siemens.",
        ["James", "Anna Schmidt"],
    ),
    (
        "Finish the data science course. Questions go to m.lopez at gmail dot com.",
        ["m.lopez at gmail dot com"],
    ),
    (
        "Negotiate remote work. HR contact: Sarah Miller, 020 7946 0958.",
        ["Sarah Miller", "020 7946 0958"],
    ),
    ("We meet at Hauptstraße 12, 10115 Berlin on Thursdays.", ["Hauptstraße 12", "10115 Berlin"]),
    ("Lead the Q3 planning meeting without notes; my boss Kevin will watch.", ["Kevin"]),
    ("Maria Lopez plans to run a workshop for new interns in April.", ["Maria Lopez"]),
    ("Reduce stress at work. My therapist Dr. Helen Park said to take breaks.", ["Helen Park"]),
    ("Shared note: follow up with recruiter Olivia Chen about the interview.", ["Olivia Chen"]),
    ("Text me at 0171 2345678 if you are late.", ["0171 2345678"]),
    ("Build a portfolio at https://marialopez.dev before applying.", ["https://marialopez.dev"]),
    ("Connect on LinkedIn: @maria_lopez_ux is my handle.", ["@maria_lopez_ux"]),
    ("Mentor note: James will introduce Maria to the design lead next week.", ["James", "Maria"]),
    ("Learn SQL well enough to build dashboards without asking the data team.", []),
    ("Speak up in meetings. Yesterday I talked to Raj Patel about how he prepares.", ["Raj Patel"]),
    ("Deliver the migration by the end of Q2, then ask for the team lead role.", []),
    (
        "Send the reading list to james.oconnor@mentors.example.org.",
        ["james.oconnor@mentors.example.org"],
    ),
    ("My sister Lucía helps with childcare on Mondays so I can study.", ["Lucía"]),
    (
        "Mail the signed form to 350 Fifth Avenue, New York, NY 10118.",
        ["350 Fifth Avenue", "NY 10118"],
    ),
    (
        "Shared note: Maria met with Mr. Dubois from finance; he offered shadowing.",
        ["Maria", "Dubois"],
    ),
    ("Ring the office on +1 415 555 0132 to book the room.", ["+1 415 555 0132"]),
    ("Goal: be ready to apply for the MBA. Reference letter from Prof. Nakamura.", ["Nakamura"]),
    ("My husband Daniel is moving jobs, so I need flexible hours.", ["Daniel"]),
    ("I'm Maria, and I want to mentor others one day.", ["Maria"]),
    ("Present the roadmap to the leadership team; rehearse with James twice.", ["James"]),
    (
        "Shared note: contact details for the conference are at www.devconf-berlin.example.",
        ["www.devconf-berlin.example"],
    ),
    ("My colleague, Ahmed Hassan, covers for me while I am at training.", ["Ahmed Hassan"]),
    (
        "Write to the program coordinator at coordinator@demo.test about the schedule.",
        ["coordinator@demo.test"],
    ),
    (
        "Move to the Lisbon office. The address is Rua Augusta 27 if the visa works.",
        ["Rua Augusta 27"],
    ),
    (
        "Practise difficult conversations; my team lead Chloe Dupont gives harsh feedback.",
        ["Chloe Dupont"],
    ),
    (
        "Finish the certificate by 2027-03-31 and tell Maria's manager Pedro Alvarez.",
        ["Maria", "Pedro Alvarez"],
    ),
    ("My WhatsApp is +44 7700 900123, James has it too.", ["+44 7700 900123", "James"]),
]

# Written after the rules, to measure what they miss: a third party's name with no cue
# (not a participant, not after "my manager", "with", "Dr." and the like, and at the start of a
# sentence or in lower case). The test reports the recall on these; it does not require it.
HARD: list[tuple[str, list[str]]] = [
    ("Tom Becker said yes to the training budget.", ["Tom Becker"]),
    ("Yesterday Priya told me the plan.", ["Priya"]),
    ("lunch w/ tom becker on friday", ["tom becker"]),
    ("Sofia thinks I should apply.", ["Sofia"]),
    ("Spoke to HR (Lena) about parental leave.", ["Lena"]),
    ("Jonas and I split the project.", ["Jonas"]),
]
