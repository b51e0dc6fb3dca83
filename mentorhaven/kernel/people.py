"""How the kernel speaks of a person without importing the app that defines them.

The kernel imports no app (``tests/test_layering.py``), so it cannot name
``mentorhaven.accounts.models.User``. It needs no more than Django's base user: a saved row
with a primary key (keys, pseudonyms and filters are by user id). Apps pass their ``User``,
which is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Not imported at run time: a model module cannot load before the app registry is ready,
    # and the aliases below are evaluated only by a type checker.
    from django.contrib.auth.base_user import AbstractBaseUser

# A person: the user model as the kernel knows it.
type Person = AbstractBaseUser
# A person, or their user id (what keys and pseudonyms are looked up by).
type PersonRef = AbstractBaseUser | int
