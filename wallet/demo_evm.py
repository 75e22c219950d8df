"""The EVM part of ``make demo``: ETH and a token on the embedded chain, through the public API.

The embedded chain (eth-tester on py-evm, in-process) is handed to the wallet with
``wallet.backends.use``; its devnet-only ``fund`` and ``deploy_contract`` stand in for a
faucet and a token issuer. Everything the wallet does after that is what it does on any
network: sync, prepare a send, sign with its own keys, broadcast, sync again.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from chains.evm.abi import encode_call
from chains.evm.contracts import compile_contract
from chains.evm.embedded import EmbeddedBackend
from chains.registry import EvmNetwork, get_network
from wallet.accounts.evm import EvmAccount
from wallet.amounts import format_amount
from wallet.wallet import Wallet

__all__ = ["run_evm_demo"]

_NETWORK = "evm-embedded"
_TOKEN = ("Coffer Demo Token", "CDT", 6)


def _account(wallet: Wallet, index: int) -> EvmAccount:
    account = wallet.account(_NETWORK, index)
    assert isinstance(account, EvmAccount)  # noqa: S101 - an EVM network
    return account


def _show(echo: Callable[[str], None], account: EvmAccount) -> None:
    coins = [str(account.balance()), *(str(b) for b in account.token_balances())]
    echo(f"    account {account.index} {account.address}: {', '.join(coins)}")


def run_evm_demo(wallet: Wallet, echo: Callable[[str], None]) -> EmbeddedBackend:
    """Fund an account on the embedded chain, deploy a token, send ETH and the token.

    Args:
        wallet: an open HD wallet (its keys sign).
        echo: where the demo's lines go.

    Returns:
        The embedded chain, still usable (the caller closes it).
    """
    network = get_network(_NETWORK)
    assert isinstance(network, EvmNetwork)  # noqa: S101 - the registry's embedded EVM chain
    chain = EmbeddedBackend(network)
    wallet.backends.use(_NETWORK, chain)
    me, friend = _account(wallet, 0), _account(wallet, 1)
    echo(f"\nEVM on the embedded chain (eth-tester on py-evm, chain id {network.chain_id}):")
    chain.fund(me.address, 10 * 10**18)
    name, symbol, decimals = _TOKEN
    token = chain.deploy_contract(
        compile_contract("ERC20").initcode(("string", "string", "uint8"), (name, symbol, decimals))
    )
    chain.transact(token, encode_call("mint(address,uint256)", me.address, 1000 * 10**decimals))
    added = me.tokens.add(token)
    echo(f"  The devnet funded account 0 with 10 ETH and deployed {added.symbol} at {token}.")
    me.sync()
    _show(echo, me)

    for amount, asset in ((Decimal("1.5"), None), (Decimal("250"), symbol)):
        draft = me.prepare_send(friend.address, amount, "normal", token=asset)
        signed = wallet.sign(draft)
        tx_hash = me.broadcast(signed)
        shown = f"{amount} {asset or network.symbol}"
        fee = format_amount(draft.max_fee, network.decimals, network.symbol)
        echo(f"  Sent {shown} to account 1 (nonce {draft.request.nonce}, max fee {fee}): {tx_hash}")

    friend.tokens.add(token)
    for account in (me, friend):
        account.sync()
    echo("  After a sync:")
    for account in (me, friend):
        _show(echo, account)
    echo("  History of account 0:")
    for entry in me.history():
        moved = format_amount(entry.amount, entry.decimals, entry.symbol)
        paid = "" if entry.fee is None else f" (fee {format_amount(entry.fee, 18, 'ETH')})"
        echo(f"    {entry.status.value:9} block {entry.height}: {moved}{paid}  {entry.txid}")
    return chain
