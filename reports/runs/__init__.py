"""Finished MLflow runs announced with deltas against a champion, best or previous run."""
