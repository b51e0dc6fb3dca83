"""Erasure (GDPR Art. 17): the request, its grace period, and the job that carries it out.

``models.py`` the request and the safeguarding cases; ``registry.py`` the steps each app
registers in its ``erasure.py``; ``services.py`` request, cancel, remind, run, and the scheduled
``process_due_erasures``; ``safeguarding.py`` the evidence kept through an erasure.
"""
