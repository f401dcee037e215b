"""Rituals: standups, retros, PI check-ins, stage tickets. Domain logic only, never Slack."""
