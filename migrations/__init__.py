"""Alembic migrations (env.py reads DATABASE_URL through bot.config)."""
