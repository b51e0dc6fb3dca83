"""The sweepers the retention app brings: relationship content (messages, notes, shared files),
share links and inactive accounts. Each module registers itself (``registry.register_sweeper``)."""

from mentorhaven.retention.sweepers import accounts, content, files, share_links  # noqa: F401
