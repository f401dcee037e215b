"""Wiring of ritualbot: configuration, app factory, storage, scheduler, outbox and CLI."""
