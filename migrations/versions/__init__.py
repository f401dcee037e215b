"""The revisions, one linear chain (a package so that the wheel ships them; alembic skips this file)."""
