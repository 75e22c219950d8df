"""The wallet database schema as a list of migrations; ``PRAGMA user_version`` is the version.

Each migration runs in one transaction, so a crash leaves the previous version intact. Never
edit a released migration: add the next one. ``tests/data/`` keeps a wallet file written by
each version, and the tests open every one with the current code.
"""

from __future__ import annotations

__all__ = ["LATEST_VERSION", "MIGRATIONS"]

_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    sealed BLOB NOT NULL
);
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    network TEXT NOT NULL,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    path TEXT,
    xpub TEXT,
    fingerprint TEXT,
    evm_child INTEGER,
    watch_address TEXT,
    watch_only INTEGER NOT NULL DEFAULT 0,
    label TEXT NOT NULL DEFAULT '',
    gap_limit INTEGER NOT NULL DEFAULT 20,
    created_at TEXT NOT NULL,
    UNIQUE (network, idx, kind)
);
CREATE TABLE addresses (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    chain INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    address TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    issued INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, chain, idx)
);
CREATE INDEX addresses_by_address ON addresses(address);
CREATE TABLE labels (
    type TEXT NOT NULL,
    ref TEXT NOT NULL,
    label TEXT NOT NULL,
    origin TEXT,
    spendable INTEGER,
    PRIMARY KEY (type, ref)
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

MIGRATIONS: tuple[str, ...] = (_V1,)
"""Migration ``i`` takes the schema from version ``i`` to ``i + 1``."""

LATEST_VERSION = len(MIGRATIONS)
