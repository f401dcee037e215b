"""Tracker adapters behind one small interface (`base.Tracker`): built-in, Jira and GitHub."""
