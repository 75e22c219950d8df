"""The values of a UTXO draft: what to send, the unsigned transaction and its facts.

``wallet.utxo.builder`` makes them (and re-exports them, as before); the signer gets the
network's ``UtxoParams`` from ``utxo_params`` and shows addresses as ``summary_address`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from chains.registry import UtxoNetwork
from keystore.types import UtxoParams
from primitives.psbt import Psbt
from primitives.script import AddressError, output_text
from primitives.tx import TxOut
from wallet.amounts import Amount
from wallet.errors import WalletError
from wallet.types import Draft
from wallet.utxo.paths import SpendPath
from wallet.utxo.policy_scripts import xpub_versions
from wallet.utxo.state import Coin

__all__ = ["DraftInput", "SendRequest", "UtxoDraft", "summary_address", "utxo_params"]


def utxo_params(network: UtxoNetwork) -> UtxoParams:
    """Return what a signer must know of the network, from the registry entry."""
    return UtxoParams(
        name=network.name,
        title=network.title,
        symbol=network.symbol,
        decimals=network.decimals,
        coin_type=network.coin_type,
        hrp=network.hrp,
        p2pkh_version=network.p2pkh_version,
        p2sh_version=network.p2sh_versions[0],
        xpub_versions=xpub_versions(network),
    )


def summary_address(script: bytes, params: UtxoParams) -> str:
    """Return an output's address as the signer's review shows it (``utxo_review._address``).

    Data carriers show as ``OP_RETURN <hex of the pushed data>``.

    Raises:
        WalletError: the script has no address on the network.
    """
    try:
        return output_text(script, params)
    except AddressError as err:
        raise WalletError(
            f"An output pays a script with no {params.title} address: {err}"
        ) from None


DraftInput = Coin
"""The coins a draft spends: the wallet's ``Coin``, the very values its stored state yields.

A coin keeps one type from the store to the draft: the state computed from the wallet file
gives ``Coin`` values, coin selection picks among them (``chains.utxo.coinselect`` sees only
its own projection: outpoint, value, size), and the draft carries the chosen ``Coin`` values
themselves.
"""


@dataclass(frozen=True, slots=True)
class UtxoDraft(Draft):
    """An unsigned UTXO transaction: the PSBT, the selection's facts and the summary.

    Attributes:
        psbt: the unsigned PSBT (BIP-174 v0), binary.
        inputs: the coins spent, in the transaction's input order (the wallet's ``Coin``).
        change_index: the position of the change output, ``None`` without change.
        fee: the fee in base units.
        vsize: the virtual size the fee was computed for (signatures at their largest).
        fee_rate: the fee rate asked for, in sat/vB.
        fee_cap: the largest fee the wallet's caps allowed (the signer's ``max_fee``).
        kind: ``"send"``, ``"bump"`` (an RBF replacement) or ``"cpfp"`` (a child).
        replaces: for a bump, the txid it replaces (broadcast marks that one replaced).
        parent: for CPFP, the unconfirmed transaction the child pays for.
        algorithm: the coin selection algorithm that chose the inputs.
        requested_fee_rate: for a bump, the rate asked for, when BIP-125 made ``fee_rate``
            higher (the least a replacement must pay); ``None`` otherwise.
    """

    psbt: bytes = field(repr=False)
    inputs: tuple[DraftInput, ...]
    change_index: int | None
    fee: int
    vsize: int
    fee_rate: Decimal
    fee_cap: int
    kind: str = "send"
    replaces: str | None = None
    parent: str | None = None
    algorithm: str = ""
    requested_fee_rate: Decimal | None = None

    @property
    def psbt_base64(self) -> str:
        """Return the PSBT as Base64 text (for an offline signer or another wallet)."""
        return Psbt.parse(self.psbt).to_base64()

    @property
    def unsigned_txid(self) -> str:
        """Return the txid of the unsigned transaction (the final one for segwit inputs)."""
        return Psbt.parse(self.psbt).unsigned_tx().txid

    @property
    def spent_outputs(self) -> tuple[TxOut, ...]:
        """Return the outputs the inputs spend, in input order."""
        return tuple(TxOut(i.value, i.script) for i in self.inputs)

    @property
    def amount(self) -> int:
        """Return what the transaction pays to others than its change, in base units."""
        return sum(o.amount for o in self.summary.outputs if not o.is_change)


@dataclass(frozen=True, slots=True)
class SendRequest:
    """What to send (see ``UtxoAccount.prepare_send``).

    Attributes:
        recipients: ``(address, amount)`` pairs; with ``send_max`` the first gets the rest
            and has no amount.
        utxos: coins (``TXID:N``) to spend exactly, frozen or not.
        send_max: send everything spendable (or every named coin) less the fee.
        rbf: signal BIP-125 replaceability.
        subtract_fee: the recipients pay the fee, in equal shares.
        allow_high_fee: accept a fee above the wallet's caps.
        path: for a policy account, the spending path the inputs will use
            (``UtxoAccount.spend_paths``): its relative lock sets every input's nSequence
            (BIP-68) and only coins old enough are spent; its satisfaction size prices the
            inputs. ``None``: the account's default (any path; nSequence per ``rbf``).
    """

    recipients: tuple[tuple[str, Amount | None], ...]
    utxos: tuple[str, ...] = ()
    send_max: bool = False
    rbf: bool = True
    subtract_fee: bool = False
    allow_high_fee: bool = False
    path: SpendPath | None = None
