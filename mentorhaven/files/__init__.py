"""Files: uploads into a relationship's shared space or a message, stored encrypted.

``validation`` decides whether an upload may be kept at all, and hands back a cleaned copy;
models, services, views and share links live beside it.
"""
