"""OAuth installations, with every token encrypted at rest.

`EncryptedInstallationStore` is slack_sdk's `SQLAlchemyInstallationStore` that encrypts the bot and
user tokens (and their refresh tokens) on save and decrypts them on find, with Fernet keys from
RITUALBOT_ENCRYPTION_KEY (comma-separated, newest first). Rotating the key: put the new key first and
keep the old ones after it; rows written with an old key still read, and `reencrypt()` (run when the
web process starts) rewrites every row under the newest key, after which the old key can be dropped.
A value without the `fernet:` prefix is a token saved before encryption: it reads as is and is
encrypted by `reencrypt()`.

It also finds a workspace's bot by the id data is filed under (`Workspace.id`: the team, or the
organization of an org-wide install), so the outbox and jobs need no enterprise id of their own.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Connection, Engine, MetaData, String, Table, and_, delete, desc, or_, select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import ConfigError
from bot.workspaces import Workspace, mark_installed

log = logging.getLogger(__name__)

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
PREFIX = "fernet:"
# A rotating token is ~150 characters; encrypted and base64-encoded it no longer fits slack_sdk's 200.
TOKEN_LENGTH = 1000
KEY_VARIABLE = "RITUALBOT_ENCRYPTION_KEY"


class TokenCipher:
    """Fernet with key rotation: encrypts under the first key, decrypts under any."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ConfigError(f"{KEY_VARIABLE} is empty: {generate_hint()}")
        try:
            self._primary = Fernet(keys[0])
            self._all = MultiFernet([Fernet(k) for k in keys])
        except ValueError:
            raise ConfigError(f"{KEY_VARIABLE} must hold Fernet keys separated by commas: {generate_hint()}") from None

    def encrypt(self, value: str | None) -> str | None:
        if value is None or value.startswith(PREFIX):
            return value
        return PREFIX + self._primary.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        if value is None or not value.startswith(PREFIX):
            return value
        try:
            return self._all.decrypt(value[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise ConfigError(
                f"an installation token was encrypted with a key that is not in {KEY_VARIABLE}: "
                "add the previous key after the new one (comma-separated) until `reencrypt` has run"
            ) from None

    def rotate(self, value: str | None) -> str | None:
        """The value under the newest key (a plaintext legacy value gets encrypted)."""
        if value is None:
            return None
        if not value.startswith(PREFIX):
            return self.encrypt(value)
        try:
            self._primary.decrypt(value[len(PREFIX) :].encode())
            return value
        except InvalidToken:
            return PREFIX + self._all.rotate(value[len(PREFIX) :].encode()).decode()


def generate_hint() -> str:
    return (
        "generate one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
    )


def _widen(table: Table) -> Table:
    for name in TOKEN_FIELDS:
        if name in table.c:
            table.c[name].type = String(TOKEN_LENGTH)
    return table


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    def __init__(
        self,
        client_id: str,
        engine: Engine,
        cipher: TokenCipher,
        *,
        bots_table_name: str = BOTS_TABLE,
        installations_table_name: str = INSTALLATIONS_TABLE,
    ) -> None:
        super().__init__(
            client_id=client_id,
            engine=engine,
            bots_table_name=bots_table_name,
            installations_table_name=installations_table_name,
        )
        self.cipher = cipher

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widen(super().build_installations_table(metadata, table_name))

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widen(super().build_bots_table(metadata, table_name))

    # -- encrypt on save -------------------------------------------------------------------------
    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))  # also saves the bot, through save_bot (idempotent)
        ws = Workspace(installation.team_id, installation.enterprise_id, bool(installation.is_enterprise_install))
        with Session(self.engine) as s:
            mark_installed(s, ws.id)
            s.commit()

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(self._sealed(bot))

    def _sealed(self, entity: Any) -> Any:
        sealed = copy.copy(entity)
        for name in TOKEN_FIELDS:
            if hasattr(sealed, name):
                setattr(sealed, name, self.cipher.encrypt(getattr(sealed, name)))
        return sealed

    # -- decrypt on find -------------------------------------------------------------------------
    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        found = super().find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        return self._opened(found)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = super().find_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, is_enterprise_install=is_enterprise_install
        )
        return self._opened(found)

    def find_bot_for(self, workspace_id: str, *, enterprise_id: str | None = None) -> Bot | None:
        """The newest bot of the workspace data is filed under: a team's own install (also a Grid
        workspace's), or an org-wide install when the id is its organization's."""
        c = self.bots.c
        org_wide = c.is_enterprise_install.is_(True)
        if enterprise_id:  # a workspace of that organization: its own install, or the org-wide one
            ids = and_(c.enterprise_id == enterprise_id, or_(c.team_id == workspace_id, org_wide))
        else:
            ids = or_(c.team_id == workspace_id, and_(c.enterprise_id == workspace_id, org_wide))
        query = (
            self.bots.select()
            .where(c.client_id == self.client_id, c.bot_token.is_not(None), ids)
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return self._opened(self.build_bot_entity(row)) if row is not None else None

    def _opened(self, entity: Any) -> Any:
        if entity is not None:
            for name in TOKEN_FIELDS:
                if hasattr(entity, name):
                    setattr(entity, name, self.cipher.decrypt(getattr(entity, name)))
        return entity

    # -- uninstall -------------------------------------------------------------------------------
    def delete_tokens(
        self,
        conn: Connection,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_ids: Sequence[str] = (),
        bot: bool = True,
    ) -> None:
        """slack_sdk's delete_all / delete_installation(user_id=...), on the caller's connection: an
        uninstall event deletes the tokens in the same transaction that stops the workspace's jobs
        (on SQLite a second connection would wait for the request's own write lock)."""
        i, b = self.installations.c, self.bots.c
        same = [i.client_id == self.client_id, i.enterprise_id == enterprise_id, i.team_id == team_id]
        if user_ids:
            conn.execute(delete(self.installations).where(*same, i.user_id.in_(list(user_ids))))
        if bot:
            conn.execute(delete(self.installations).where(*same))
            conn.execute(
                delete(self.bots).where(
                    b.client_id == self.client_id, b.enterprise_id == enterprise_id, b.team_id == team_id
                )
            )

    # -- key rotation ----------------------------------------------------------------------------
    def reencrypt(self) -> int:
        """Rewrite every token under the newest key (and encrypt plaintext legacy rows); rows changed."""
        changed = 0
        with self.engine.begin() as conn:
            for table in (self.installations, self.bots):
                columns = [table.c[name] for name in TOKEN_FIELDS if name in table.c]
                for row in conn.execute(select(table.c.id, *columns)).mappings():
                    values = {col.name: self.cipher.rotate(row[col.name]) for col in columns}
                    if any(values[name] != row[name] for name in values):
                        conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
                        changed += 1
        if changed:
            log.info("installation tokens re-encrypted under the newest key rows=%s", changed)
        return changed


def build_installation_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    """The one installation store of a process in OAuth mode; refuses to store tokens unencrypted."""
    if not settings.encryption_keys:
        raise ConfigError(
            f"{KEY_VARIABLE} is required with SLACK_CLIENT_ID/SLACK_CLIENT_SECRET: installation tokens are "
            f"stored encrypted with it; {generate_hint()}"
        )
    return EncryptedInstallationStore(settings.slack_client_id or "", engine, TokenCipher(settings.encryption_keys))
