"""One reporting layer: k-anonymous figures (pure rules in ``domain.py``)."""
