"""AI assistance behind a privacy gateway (issue 16): every model call goes through
``gateway.py``; the features (goal coach, meeting agenda, conversation prompts, program themes)
build their prompts from inventory fields declared usable for AI."""
