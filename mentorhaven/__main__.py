"""`python -m mentorhaven ...`: the `mentorhaven` command (handy from a git worktree)."""

from mentorhaven.cli import main

main()
