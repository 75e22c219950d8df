"""A UTXO account's addresses: derived once from its xpub, stored with their scripts.

Showing an address stores that address only (``addresses``): ``start=100000`` derives one
key, not the hundred thousand below it. The receive and change chains grow without holes
from index 0 as the gap limit needs (``first_unused``, the sync's discovery), and every
write is idempotent (``UtxoStore.add_addresses``), so two processes showing the same
addresses at once both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.errors import WalletError
from wallet.types import AddressInfo
from wallet.utxo.context import CHANGE, RECEIVE, UtxoContext

__all__ = [
    "ChangeOutput",
    "addresses",
    "derive_rows",
    "fill_scripts",
    "find_address",
    "first_unused",
    "new_receive_address",
    "store_range",
]

_MAX_INDEX = 0x80000000  # BIP-32: non-hardened children run from 0 to 2^31 - 1


def derive_rows(
    ctx: UtxoContext, chain: int, start: int, count: int
) -> dict[int, tuple[str, bytes]]:
    """Return the addresses and scripts of a chain's indexes ``start`` on, by index."""
    rows = ctx.scripts.derive(chain, start, count)
    return {start + offset: row for offset, row in enumerate(rows)}


def store_range(ctx: UtxoContext, chain: int, start: int, stop: int) -> list[int]:
    """Derive and store the addresses of ``start``..``stop - 1`` a chain does not have yet.

    Returns:
        The indexes stored now (another process may have stored some meanwhile).
    """
    missing = ctx.store.missing_indexes(ctx.account_id, chain, start, stop)
    if not missing:
        return []
    first, last = missing[0], missing[-1]
    derived = derive_rows(ctx, chain, first, last - first + 1)
    wanted = {idx: derived[idx] for idx in missing}
    stored = ctx.store.add_addresses(ctx.account_id, chain, wanted)
    fill_scripts(ctx)  # as before: storing addresses also watches those of an old file
    return stored


def fill_scripts(ctx: UtxoContext) -> None:
    """Give stored addresses without a watched script (a file older than schema v2) theirs.

    The scripts are derived, like every other script of the account.
    """
    missing = ctx.store.unscripted(ctx.account_id)
    scripts = {}
    for chain, idx in missing:
        ((_address, script),) = ctx.scripts.derive(chain, idx, 1)
        scripts[(chain, idx)] = script
    ctx.store.add_scripts(ctx.account_id, scripts)


def addresses(ctx: UtxoContext, count: int, start: int, chain: int) -> list[AddressInfo]:
    """Return ``count`` addresses of a chain from index ``start``, storing those it lacks.

    Raises:
        WalletError: an index outside 0 to 2^31 - 1.
    """
    if count < 0 or start < 0 or start + count > _MAX_INDEX:
        raise WalletError("Address indexes run from 0 to 2^31 - 1.")
    store_range(ctx, chain, start, start + count)
    rows = ctx.store.address_rows(ctx.account_id, chain, start, start + count)
    return [
        AddressInfo(a, ctx.scripts.path_of(chain, idx), chain, idx, used) for idx, a, used in rows
    ]


def first_unused(ctx: UtxoContext, chain: int) -> AddressInfo:
    """Return the first address of a chain that no transaction has used yet."""
    while True:
        have = ctx.store.address_count(ctx.account_id, chain)
        index = ctx.store.first_unused(ctx.account_id, chain, have)
        if index is not None:
            return addresses(ctx, 1, index, chain)[0]
        store_range(ctx, chain, have, have + ctx.gap_limit)


def new_receive_address(ctx: UtxoContext) -> AddressInfo:
    """Hand out a fresh receive address, never given out before.

    Raises:
        WalletError: ``gap_limit`` unused addresses are already handed out; a wallet
            restored from the seed would stop looking before the next one.
    """
    last_used = ctx.store.last_used(ctx.account_id, RECEIVE)
    index = max(last_used, ctx.store.last_issued(ctx.account_id, RECEIVE)) + 1
    if index - last_used > ctx.gap_limit:
        raise WalletError(
            f"{ctx.gap_limit} unused addresses are already handed out; a wallet restored "
            "from the recovery phrase would not look further. Use one of them first."
        )
    info = addresses(ctx, 1, index, RECEIVE)[0]
    ctx.store.mark_issued(ctx.account_id, RECEIVE, index)
    return info


def find_address(ctx: UtxoContext, address: str) -> AddressInfo | None:
    """Return the address's place in the account if it is one of its stored addresses."""
    found = ctx.store.find_address(ctx.account_id, address)
    if found is None:
        return None
    chain, idx, used = found
    return AddressInfo(address, ctx.scripts.path_of(chain, idx), chain, idx, used)


@dataclass(frozen=True, slots=True)
class ChangeOutput:
    """Where change goes: an address of the account's change chain."""

    script: bytes
    address: str
    chain: int
    index: int

    @classmethod
    def first_unused(cls, ctx: UtxoContext) -> ChangeOutput:
        """Return the account's first change address no transaction has used yet."""
        info = first_unused(ctx, CHANGE)
        script = ctx.store.script_at(ctx.account_id, CHANGE, info.index)
        assert script is not None  # noqa: S101 - stored with its address, in one write
        return cls(script, info.address, info.chain, info.index)
