"""Moderators: the reports queue and their decisions (removals, blocks, deletions)."""
