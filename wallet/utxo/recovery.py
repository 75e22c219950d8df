"""Recovery and inheritance wallets: the owner spends any time, an heir after N blocks.

The policy is miniscript (BIP-379) under P2WSH, or taproot with the owner on the key path:

- ``wsh(or_d(pk(OWNER),and_v(v:pkh(HEIR),older(N))))``
- ``tr(OWNER,and_v(v:pk(HEIR),older(N)))`` (one leaf: BIP-386 writes it without braces)

``older(N)`` is BIP-68's height-based relative lock: the heir can spend a coin once it has
N confirmations, counted from the block that confirmed *that coin*. Each coin has its own
clock, and moving a coin to a new address of the same wallet (``prepare_refresh``) starts it
again: an owner who is alive refreshes before the clock runs out.

N must be 1 to 65,535: BIP-68 counts blocks in the low 16 bits of nSequence (65,535 blocks is
about 455 days on Bitcoin, 114 on Litecoin); a larger ``older()`` would set other bits and
mean something else (bit 22 turns blocks into 512-second units), and 0 is no lock at all.

``recovery_status`` is pure arithmetic over the coins as of the last sync and the tip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from chains.registry import UtxoNetwork
from wallet.errors import CoinUnavailable, InvalidPolicy, InvalidTimelock, UnknownSpendPath
from wallet.types import FeeLevel
from wallet.utxo.builder import SendRequest, UtxoDraft, prepare_send
from wallet.utxo.coins import spendable
from wallet.utxo.context import UtxoContext
from wallet.utxo.paths import OWNER, RECOVERY, SpendPath, duration_words
from wallet.utxo.policy import cosigner_expression, read_policy
from wallet.utxo.state import Coin
from wallet.utxo.views import AccountView

__all__ = [
    "MAX_RECOVERY_BLOCKS",
    "WARN_FRACTION",
    "CoinClock",
    "RecoveryStatus",
    "account_status",
    "check_recovery_blocks",
    "coin_clock",
    "find_path",
    "prepare_refresh",
    "recovery_descriptor_body",
    "recovery_key",
    "recovery_policy",
    "recovery_status",
]

MAX_RECOVERY_BLOCKS = 0xFFFF
"""The largest height-based relative lock BIP-68 can express (16 bits of nSequence)."""
WARN_FRACTION = 0.10
"""A coin warns when this share of its lock time, or less, is left."""


def check_recovery_blocks(blocks: int, block_seconds: int = 600) -> int:
    """Return ``blocks`` if BIP-68 can count it as a height-based relative lock.

    Raises:
        InvalidTimelock: not an integer from 1 to 65,535.
    """
    if isinstance(blocks, bool) or not isinstance(blocks, int):
        raise InvalidTimelock("The recovery delay is a whole number of blocks.", None)
    if not 1 <= blocks <= MAX_RECOVERY_BLOCKS:
        longest = MAX_RECOVERY_BLOCKS * block_seconds / 86400
        raise InvalidTimelock(
            f"The recovery delay must be 1 to {MAX_RECOVERY_BLOCKS} blocks (about "
            f"{round(longest)} days on this network): a relative lock (BIP-68) counts blocks in "
            f"16 bits; {blocks} is out of range.",
            blocks,
        )
    return blocks


def recovery_key(text: str) -> str:
    """Return a key expression ready for a ranged policy: ``/<0;1>/*`` added if it has none.

    ``[fingerprint/path]xpub`` (a cosigner export) becomes ``[fingerprint/path]xpub/<0;1>/*``;
    a key already ending in ``/*`` is kept as it is. Validation is the descriptor parser's.
    """
    key = text.strip()
    return key if key.endswith("*") else key + "/<0;1>/*"


def recovery_descriptor_body(owner: str, heir: str, blocks: int, taproot: bool) -> str:
    """Return the recovery policy's descriptor text (no checksum) for two key expressions.

    Raises:
        InvalidTimelock: ``blocks`` out of 1..65,535.
    """
    check_recovery_blocks(blocks)
    if taproot:
        return f"tr({owner},and_v(v:pk({heir}),older({blocks})))"
    return f"wsh(or_d(pk({owner}),and_v(v:pkh({heir}),older({blocks}))))"


def recovery_policy(
    network: UtxoNetwork, owner: str, heir: str, blocks: int, taproot: bool = False
) -> str:
    """Return the recovery wallet's descriptor text for the owner's and the heir's keys.

    Args:
        network: the wallet's network (the delay's words use its block interval).
        owner: the owner's key expression (``Wallet.custody.cosigner_key``).
        heir: the recovery key, as any cosigner export (``[fp/path]xpub``, a descriptor
            naming one key, Coldcard/Sparrow JSON; see ``cosigner_expression``).
        blocks: N, the heir's delay in blocks after each coin confirms.
        taproot: ``tr(OWNER, heir leaf)`` instead of ``wsh(or_d(...))``.

    Raises:
        InvalidTimelock: ``blocks`` out of 1..65,535.
        InvalidPolicy: the recovery key cannot be read, or is the owner's own key.
    """
    check_recovery_blocks(blocks, network.block_seconds)
    heir_key = cosigner_expression(heir, "tr" if taproot else "wsh")
    try:  # the key alone first, so that a key of another network is named as the heir's
        read_policy(network, f"wpkh({recovery_key(heir_key)})")
    except InvalidPolicy as err:
        words = str(err)
        raise InvalidPolicy(
            f"The recovery key cannot be used on {network.title}: {words[:1].lower()}{words[1:]}"
        ) from None
    if heir_key.split("]")[-1] == owner.split("]")[-1]:
        raise InvalidPolicy(
            "The recovery key is this wallet's own key: give the heir's (or the backup "
            "device's) cosigner key."
        )
    return recovery_descriptor_body(recovery_key(owner), recovery_key(heir_key), blocks, taproot)


@dataclass(frozen=True, slots=True)
class CoinClock:
    """Where one coin stands on the way to the recovery path.

    Attributes:
        outpoint: the coin, ``TXID:N``.
        value: its value in base units.
        confirmations: its confirmations now (0 while unconfirmed).
        blocks_left: blocks until the recovery path opens for it (0: open now), ``None``
            while unconfirmed.
        days_left: ``blocks_left`` at the network's block interval, ``None`` while
            unconfirmed.
        opens_at_height: the height of the block after which the path is open (a spend
            can enter the block after it), ``None`` while unconfirmed.
        note: a sentence for people ("opens in 3 blocks, about 8 minutes", "the clock starts
            when it confirms").
        warning: whether 10% or less of the lock time is left (or the path is open).
    """

    outpoint: str
    value: int
    confirmations: int
    blocks_left: int | None
    days_left: float | None
    opens_at_height: int | None
    note: str
    warning: bool


@dataclass(frozen=True, slots=True)
class RecoveryStatus:
    """The account's recovery clock: every coin, the soonest, and the paths in words.

    Attributes:
        after_blocks: N, the recovery path's relative lock.
        block_seconds: the network's block interval used for days.
        tip_height: the chain tip as of the last sync.
        paths: the account's spending paths (``owner`` and ``recovery``).
        coins: each coin's clock, soonest first (unconfirmed ones last).
        soonest: the coin whose recovery path opens first, ``None`` without confirmed coins.
        warning: some coin has 10% or less of its lock time left (refresh it).
        summary: one sentence for the whole account.
    """

    after_blocks: int
    block_seconds: int
    tip_height: int
    paths: tuple[SpendPath, ...]
    coins: tuple[CoinClock, ...]
    soonest: CoinClock | None
    warning: bool
    summary: str


def coin_clock(coin: Coin, tip_height: int, after_blocks: int, block_seconds: int) -> CoinClock:
    """Return one coin's recovery clock at ``tip_height`` (see ``CoinClock``).

    BIP-68: an input with nSequence N spending a coin confirmed at height H is valid in a
    block at height H + N or later, i.e. once the tip is H + N - 1 the next block can hold
    it; the coin then has N confirmations.
    """
    confirmations = coin.confirmations(tip_height)
    if coin.height is None:
        return CoinClock(
            str(coin.outpoint),
            coin.value,
            0,
            None,
            None,
            None,
            f"unconfirmed: the clock starts when it confirms ({after_blocks} blocks from then)",
            False,
        )
    left = max(after_blocks - confirmations, 0)
    days = left * block_seconds / 86400
    opens = coin.height + after_blocks - 1
    warning = left <= after_blocks * WARN_FRACTION
    if left == 0:
        note = "the recovery path is open: the recovery key can spend it now"
    else:
        note = f"the recovery path opens in {left} blocks ({duration_words(days)})"
    if warning and left > 0:
        note += "; refresh it soon"
    elif warning:
        note += "; refresh it to restart the clock"
    return CoinClock(
        str(coin.outpoint), coin.value, confirmations, left, days, opens, note, warning
    )


def recovery_status(
    coins: Sequence[Coin],
    tip_height: int,
    paths: tuple[SpendPath, ...],
    block_seconds: int,
) -> RecoveryStatus:
    """Return every coin's recovery clock and the account's summary.

    Args:
        coins: the account's unspent coins (spent-pending ones are left out by the caller).
        tip_height: the chain tip as of the last sync.
        paths: the account's spending paths; one is ``recovery`` with a lock in blocks.
        block_seconds: the network's block interval (600 Bitcoin, 150 Litecoin).

    Raises:
        InvalidTimelock: the paths have no ``recovery`` path counted in blocks.
    """
    recovery = next((p for p in paths if p.name == RECOVERY), None)
    if recovery is None or recovery.older_blocks is None:
        raise InvalidTimelock(
            "This account has no recovery path with a delay in blocks "
            "(an owner key alone, or an heir key after N blocks)."
        )
    n = recovery.older_blocks
    clocks = [coin_clock(c, tip_height, n, block_seconds) for c in coins]
    clocks.sort(key=lambda c: (c.blocks_left is None, c.blocks_left or 0, c.outpoint))
    confirmed = [c for c in clocks if c.blocks_left is not None]
    soonest = confirmed[0] if confirmed else None
    warning = any(c.warning for c in clocks)
    owner = next((p for p in paths if p.name == OWNER), None)
    words = f"Owner: {owner.description}. " if owner is not None else ""
    words += f"Recovery: {recovery.description}. "
    if soonest is None:
        if clocks:
            words += "No coin has confirmed yet: each clock starts when its coin confirms."
        else:
            words += "No coins yet."
    elif soonest.blocks_left == 0:
        words += f"The recovery path is open for {soonest.outpoint}: refresh to restart it."
    else:
        words += f"The recovery path opens first for {soonest.outpoint}: {soonest.note}."
    return RecoveryStatus(
        n, block_seconds, tip_height, paths, tuple(clocks), soonest, warning, words
    )


def find_path(paths: tuple[SpendPath, ...], name: str) -> SpendPath:
    """Return the path called ``name``.

    Raises:
        UnknownSpendPath: the account has no such path (the error lists those it has).
    """
    for path in paths:
        if path.name == name:
            return path
    names = tuple(p.name for p in paths)
    if not names:
        raise UnknownSpendPath(
            f"This account has one way to spend; there is no {name!r} path to choose.", name
        )
    raise UnknownSpendPath(
        f"This account has no {name!r} spending path; it has {', '.join(names)}.", name, names
    )


def account_status(ctx: UtxoContext, paths: tuple[SpendPath, ...]) -> RecoveryStatus:
    """Return the recovery clocks of an account's unspent coins as of the last sync.

    Raises:
        InvalidTimelock: the account has no recovery path counted in blocks.
    """
    view = AccountView(ctx.store, ctx.labels, ctx.account_id)
    coins = [c for c in view.state.coins.values() if not c.spent_pending]
    return recovery_status(coins, view.tip_height, paths, ctx.network.block_seconds)


def prepare_refresh(
    ctx: UtxoContext,
    paths: tuple[SpendPath, ...],
    destination: str,
    fee: FeeLevel | str = "normal",
    fee_rate: Decimal | int | str | None = None,
    coins: Sequence[str] | None = None,
    within_blocks: int | None = None,
    allow_high_fee: bool = False,
) -> UtxoDraft:
    """Prepare one transaction moving coins to ``destination`` by the owner path.

    Each coin spent restarts its recovery clock once the refresh confirms. Coins: those
    named, else (``within_blocks``) the confirmed coins whose recovery path opens within
    that many blocks, else every spendable coin (frozen ones only when named). The fee is
    the draft's like any send (``fee``, ``fee_rate``, the wallet's caps).

    Raises:
        InvalidTimelock: the account has no recovery path.
        UnknownSpendPath: the account has no owner path.
        CoinUnavailable: no coin to refresh (or a named coin that cannot be spent).
        and every error of ``prepare_send``.
    """
    status = account_status(ctx, paths)
    owner = find_path(paths, OWNER)
    if coins:
        chosen = list(coins)  # checked by coin control (``named_coins``)
    else:
        view = AccountView(ctx.store, ctx.labels, ctx.account_id)
        usable = {str(c.outpoint) for c in spendable(view)}
        picked = [
            c
            for c in status.coins
            if c.outpoint in usable
            and (
                within_blocks is None
                or (c.blocks_left is not None and c.blocks_left <= within_blocks)
            )
        ]
        chosen = [c.outpoint for c in picked]
    if not chosen:
        when = (
            ""
            if within_blocks is None
            else f" whose recovery path opens within {within_blocks} blocks"
        )
        raise CoinUnavailable(f"There is no coin{when} to refresh.", "", "unknown")
    request = SendRequest(
        recipients=((destination, None),),
        utxos=tuple(chosen),
        send_max=True,
        allow_high_fee=allow_high_fee,
        path=owner,
    )
    return replace(prepare_send(ctx, request, fee, fee_rate), kind="refresh")
