"""Consent that governs, and the rights to rectify and restrict.

* ``ConsentRecord``: an append-only history of opt-ins and withdrawals per purpose (matching with
  sensitive answers, engagement analytics, AI features), each with the hash of the text agreed to,
  its time and the way it was given. ``selectors.has_consent`` reads the newest record.
* ``Restriction``: a person freezes processing of their data while a dispute is open;
  ``processing.may_process`` is the one helper matching, reminders and analytics ask.
* ``DataRequest``: corrections, restrictions and other data requests, in a queue for the
  organization's data-protection officers with the statutory one-month deadline.
"""
