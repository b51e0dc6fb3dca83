"""Onboarding gates and break-glass: what must be true before a person reaches others' data.

* The confidentiality agreement of each program (versioned; accepted before anything else).
* The mentor security training (a module and a quiz; renewed yearly) without which a mentor
  reaches no mentee's content.
* Break-glass: a time-boxed, two-admin, audited window onto protected content.
"""
