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

# Version 2, the UTXO family. The wallet keeps what an Electrum client keeps: per watched
# script its status digest and its history (txid, height) as the server last reported them;
# every transaction of those histories once per network (raw, checked by the backend against
# its txid and merkle proof); the block hash of each height that holds one (to notice
# reorgs); the chain tip; and the transactions the wallet broadcast itself until a server
# reports them. Coins, balances and the history shown are computed from these.
_V2_UTXO = """
CREATE TABLE utxo_scripts (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    chain INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    script BLOB NOT NULL,
    status TEXT,
    PRIMARY KEY (account_id, chain, idx)
);
CREATE INDEX utxo_scripts_by_script ON utxo_scripts(script);
CREATE TABLE utxo_script_history (
    account_id INTEGER NOT NULL,
    chain INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    txid TEXT NOT NULL,
    height INTEGER,
    PRIMARY KEY (account_id, chain, idx, txid),
    FOREIGN KEY (account_id, chain, idx)
        REFERENCES utxo_scripts(account_id, chain, idx) ON DELETE CASCADE
);
CREATE INDEX utxo_script_history_by_txid ON utxo_script_history(txid);
CREATE TABLE utxo_transactions (
    network TEXT NOT NULL,
    txid TEXT NOT NULL,
    raw BLOB NOT NULL,
    fee INTEGER,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (network, txid)
);
CREATE TABLE utxo_blocks (
    network TEXT NOT NULL,
    height INTEGER NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (network, height)
);
CREATE TABLE utxo_tips (
    network TEXT PRIMARY KEY,
    height INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE utxo_local (
    network TEXT NOT NULL,
    txid TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    broadcast_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    replaces TEXT,
    PRIMARY KEY (network, txid)
);
"""

_V3_EVM = """
CREATE TABLE evm_tokens (
    network TEXT NOT NULL,
    address TEXT NOT NULL,
    symbol TEXT NOT NULL,
    name TEXT NOT NULL,
    decimals INTEGER NOT NULL,
    logo_uri TEXT,
    source TEXT NOT NULL DEFAULT 'custom',
    added_at INTEGER NOT NULL,
    PRIMARY KEY (network, address)
);
CREATE TABLE evm_state (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    balance TEXT NOT NULL,
    pending_balance TEXT NOT NULL,
    nonce_mined INTEGER NOT NULL,
    nonce_pending INTEGER NOT NULL,
    tip INTEGER NOT NULL,
    synced_at INTEGER NOT NULL
);
CREATE TABLE evm_token_balances (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    balance TEXT NOT NULL,
    PRIMARY KEY (account_id, token)
);
CREATE TABLE evm_transfers (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    record_key TEXT NOT NULL,
    tx_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    timestamp INTEGER,
    sender TEXT NOT NULL,
    recipient TEXT,
    amount TEXT NOT NULL,
    contract TEXT,
    token_id TEXT,
    log_index INTEGER,
    success INTEGER NOT NULL,
    fee TEXT,
    PRIMARY KEY (account_id, record_key)
);
CREATE INDEX evm_transfers_by_tx ON evm_transfers(account_id, tx_hash);
CREATE TABLE evm_cursors (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    next_block INTEGER NOT NULL,
    PRIMARY KEY (account_id, source)
);
CREATE TABLE evm_sent (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    tx_hash TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    raw BLOB NOT NULL,
    kind TEXT NOT NULL,
    replaces TEXT,
    status TEXT NOT NULL,
    block_number INTEGER,
    fee TEXT,
    to_address TEXT,
    value TEXT NOT NULL,
    gas INTEGER NOT NULL,
    max_fee_per_gas TEXT,
    max_priority_fee_per_gas TEXT,
    gas_price TEXT,
    summary TEXT NOT NULL,
    broadcast_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, tx_hash)
);
CREATE INDEX evm_sent_by_nonce ON evm_sent(account_id, nonce);
CREATE TABLE evm_nfts (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    contract TEXT NOT NULL,
    token_id TEXT NOT NULL,
    standard TEXT NOT NULL,
    amount TEXT NOT NULL,
    uri TEXT,
    name TEXT,
    description TEXT,
    image TEXT,
    attributes TEXT NOT NULL DEFAULT '[]',
    metadata_note TEXT,
    PRIMARY KEY (account_id, contract, token_id)
);
"""
"""Schema v3: the EVM family's custom tokens, balances, transfers, cursors, own transactions and
collectibles. Amounts are decimal text: uint256 values do not fit SQLite's 64-bit integers."""

_V4_BLOCK_TIMES = """
ALTER TABLE utxo_blocks ADD COLUMN time INTEGER;
"""
"""Schema v4: the timestamp (the header's ``nTime``, Unix seconds) of each block the UTXO
histories point at, so confirmed transactions show when they were mined. Rows written before
have none; the next sync asks for them (``SyncRequest.untimed_blocks``)."""

_V_HISTORY = """
CREATE TABLE history_index (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    txid TEXT NOT NULL,
    asset TEXT NOT NULL,
    status TEXT NOT NULL,
    height INTEGER,
    timestamp INTEGER,
    symbol TEXT NOT NULL,
    decimals INTEGER NOT NULL,
    amount TEXT NOT NULL,
    amount_key TEXT NOT NULL,
    fee TEXT,
    counterparties TEXT NOT NULL DEFAULT '',
    token TEXT,
    token_id TEXT,
    replaceable INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, txid, asset)
);
CREATE INDEX history_by_account ON history_index(account_id);
CREATE INDEX history_by_time ON history_index(timestamp, txid, asset);
CREATE INDEX history_by_amount ON history_index(amount_key, txid, asset);
CREATE INDEX history_by_status ON history_index(status, txid, asset);
CREATE INDEX history_by_network ON history_index(network, txid, asset);
CREATE INDEX history_by_symbol ON history_index(symbol, txid, asset);
CREATE INDEX history_by_txid ON history_index(txid, asset);
CREATE VIRTUAL TABLE history_search USING fts5(text, tokenize = 'trigram');
CREATE TABLE history_tips (
    network TEXT PRIMARY KEY,
    height INTEGER NOT NULL
);
"""
"""The history of every account as one table the GUI pages through: sorted, filtered and
searched in SQL (``history_search``: a trigram index over each row's txid, counterparties and
symbol, keyed by the row's id). ``wallet.history.HistoryStore`` owns these tables and rebuilds
an account's rows from the account's own history after each sync, touching only the rows that
changed. Amounts are decimal text (uint256 values); ``amount_key`` is a short text that
sorts like the amount in coins."""

_V_REQUESTS = """
CREATE TABLE payment_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    reserved_address TEXT,
    token TEXT,
    amount TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    fiat_amount TEXT,
    fx_currency TEXT,
    fx_rate TEXT,
    fx_source TEXT,
    fx_time INTEGER,
    status TEXT NOT NULL DEFAULT 'unpaid',
    txids TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, reserved_address)
);
CREATE INDEX payment_requests_by_account ON payment_requests(account_id, created_at);
"""
"""Payment requests (``wallet.requests``): one row per request; ``reserved_address`` is the
UTXO address given to this request alone (``NULL`` on EVM accounts, which have one address),
unique per account so that no two requests ever share one. Amounts are decimal text (uint256
token amounts do not fit SQLite's integers); ``status`` and ``txids`` are what the last sync
found (``RequestStore.record_status``)."""

_V_PRICES = """
CREATE TABLE price_daily (
    asset TEXT NOT NULL,
    quote TEXT NOT NULL,
    day TEXT NOT NULL,
    rate TEXT NOT NULL,
    at INTEGER NOT NULL,
    source TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (asset, quote, day)
);
CREATE TABLE price_live (
    asset TEXT NOT NULL,
    quote TEXT NOT NULL,
    rate TEXT NOT NULL,
    change_24h TEXT,
    at INTEGER NOT NULL,
    source TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (asset, quote)
);
CREATE TABLE price_gaps (
    asset TEXT NOT NULL,
    quote TEXT NOT NULL,
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (asset, quote, day)
);
CREATE TABLE price_fetches (
    name TEXT PRIMARY KEY,
    at INTEGER NOT NULL
);
"""
"""Schema (prices): the price cache. ``price_daily`` holds daily closes (crypto in USD from
CoinGecko or CryptoCompare; ECB rates as asset ``EUR`` in each currency), ``price_live`` the
last current price per pair, ``price_gaps`` each day a provider answered without a value and
why, ``price_fetches`` when a whole file or window was last fetched. Rates are decimal text;
times Unix seconds."""


_V_TAXBUDGET = """
CREATE TABLE money_categories (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
CREATE TABLE money_category_rules (
    category TEXT NOT NULL REFERENCES money_categories(name) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    pattern TEXT NOT NULL,
    PRIMARY KEY (category, kind, pattern)
);
CREATE TABLE money_budgets (
    category TEXT PRIMARY KEY REFERENCES money_categories(name) ON DELETE CASCADE,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    rollover INTEGER NOT NULL,
    since TEXT NOT NULL
);
CREATE TABLE onramp_purchases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    asset TEXT NOT NULL,
    fiat_currency TEXT NOT NULL,
    fiat_amount TEXT,
    created_at INTEGER NOT NULL,
    txid TEXT,
    amount TEXT,
    received_at INTEGER
);
CREATE INDEX onramp_purchases_by_address ON onramp_purchases(address);
"""
"""Schema (taxbudget): spending categories and their rules, monthly budgets (decimal text,
in the base currency), and on-ramp purchases waiting for (or matched to) their transaction.
The provider keys are settings (``meta``), inside the encrypted file like every setting."""

_V_FIAT = """
CREATE TABLE fiat_accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    institution TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL DEFAULT '',
    opening_minor INTEGER NOT NULL DEFAULT 0,
    statement_minor INTEGER,
    statement_date TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE fiat_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES fiat_accounts(id) ON DELETE CASCADE,
    format TEXT NOT NULL,
    source TEXT NOT NULL,
    digest TEXT NOT NULL,
    added INTEGER NOT NULL,
    matched INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE fiat_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES fiat_accounts(id) ON DELETE CASCADE,
    booked TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    payee TEXT NOT NULL DEFAULT '',
    memo TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL,
    import_id INTEGER REFERENCES fiat_imports(id) ON DELETE SET NULL,
    transfer_id INTEGER,
    chain_network TEXT,
    chain_txid TEXT
);
CREATE INDEX fiat_lines_by_account ON fiat_lines(account_id, booked);
CREATE INDEX fiat_lines_by_chain_tx ON fiat_lines(chain_txid);
CREATE TABLE points_programmes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    balance TEXT NOT NULL,
    expires TEXT,
    value_per_point TEXT,
    value_currency TEXT
);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    starts TEXT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    seat TEXT NOT NULL DEFAULT '',
    nft_network TEXT,
    nft_contract TEXT,
    nft_token_id TEXT,
    UNIQUE (nft_network, nft_contract, nft_token_id)
);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind TEXT NOT NULL,
    target_ref TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    invoice_amount TEXT,
    invoice_currency TEXT,
    invoice_date TEXT,
    invoice_seller TEXT,
    invoice_note TEXT,
    added_at TEXT NOT NULL
);
CREATE INDEX attachments_by_target ON attachments(target_kind, target_ref);
"""
"""Fiat accounts and their statement lines (amounts in the currency's minor unit), the
statement imports that added or matched them, loyalty programmes, tickets, and files attached
to transactions (kept inside the encrypted wallet file)."""

_V_POLICIES = """
ALTER TABLE accounts ADD COLUMN descriptor TEXT;
CREATE TABLE musig_nonces (
    session TEXT PRIMARY KEY,
    secnonce BLOB,
    pubnonce BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('issued', 'used')),
    created_at TEXT NOT NULL,
    used_at TEXT
);
"""
"""Schema (policies): a policy account (multisig, miniscript recovery, MuSig2) keeps its output
descriptor, with its checksum and both chains (BIP-389 ``<0;1>``); ``musig_nonces`` records each
MuSig2 secret nonce (sealed) with its public nonce as issued before the public nonce leaves the
wallet, and as used (the secret erased) before a partial signature does, so a nonce is never
used twice."""

MIGRATIONS: tuple[str, ...] = (
    _V1,
    _V2_UTXO,
    _V3_EVM,
    _V4_BLOCK_TIMES,
    _V_HISTORY,
    _V_PRICES,
    _V_REQUESTS,
    _V_TAXBUDGET,
    _V_FIAT,
    _V_POLICIES,
)
"""Migration ``i`` takes the schema from version ``i`` to ``i + 1``."""

LATEST_VERSION = len(MIGRATIONS)
