"""Relationship pages, one module per part: the relationship itself, goals, notes, meetings and
calendars, and the program admins' overview. ``common`` holds what they share."""
