"""The review of a PSBT before signing: recompute what it does from the PSBT alone.

A hardware wallet trusts nothing the online side says about a transaction; neither does this.
``review_psbt`` reads the (already parsed) PSBT and returns the human summary (every output's
address and amount, which outputs are change, the fee, replaceability) and the list of inputs
this wallet will sign, or refuses with a ``PsbtRefused`` subclass that says why:

- amounts are taken only from proven data: the full previous transaction
  (``non_witness_utxo``, whose txid the parser has checked), or a witness UTXO when a taproot
  signature will commit to every input's amount and script (BIP-341);
- an input is ours only if its key origin names our fingerprint, its path lies under the
  account (on the network's coin type, receive or change chain), its script is the account's
  kind, and its key is the one the script pays;
- an output is change only if its key derives, under the account, to exactly its script;
- every output must have an address on the network; the fee may be capped; the summary must
  equal the one the online side showed, when it showed one.

The review needs only public keys (the account's xpub), so an offline signer or the GUI can
show the summary before any key is unlocked. The signer proves the private side itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from keystore.bip32 import HARDENED, ExtendedPublicKey, format_path
from keystore.errors import (
    FeeAboveCap,
    ForeignKeyPath,
    InvalidPsbt,
    KeyMismatch,
    NothingToSign,
    OutputNotForNetwork,
    SummaryMismatch,
    UnprovenInput,
    UnsupportedInput,
    UnsupportedSighash,
    WrongNetwork,
)
from keystore.signers.base import SigningContext
from keystore.types import SummaryOutput, TxSummary, UtxoParams
from primitives.hashes import hash160
from primitives.psbt import KeySource, Psbt, PsbtError, PsbtInput, PsbtOutput
from primitives.psbt_roles import PsbtSignerCheckFailed, SpendKind, spend_info
from primitives.script import (
    AddressError,
    KeyScriptKind,
    key_script,
    output_text,
)
from primitives.secp256k1 import Secp256k1Error, taproot_output_key
from primitives.sighash import SIGHASH_ALL, SIGHASH_DEFAULT
from primitives.tx import Transaction, TxOut

__all__ = ["InputToSign", "PsbtReview", "compare_summaries", "review_psbt", "summarize_psbt"]

# BIP-44/49/84/86 purpose -> the one script kind an account of that purpose uses.
_PURPOSE_KINDS = {
    44 + HARDENED: SpendKind.P2PKH,
    49 + HARDENED: SpendKind.P2SH_P2WPKH,
    84 + HARDENED: SpendKind.P2WPKH,
    86 + HARDENED: SpendKind.P2TR,
}
_RECEIVE, _CHANGE = 0, 1


@dataclass(frozen=True, slots=True)
class InputToSign:
    """One input the signer will sign, with everything the signature needs.

    Attributes:
        index: the input's index.
        kind: P2PKH, P2WPKH, P2SH-P2WPKH or P2TR (key path).
        path: the key's full derivation path from the master key.
        pubkey: the key the script pays: 33-byte compressed for ECDSA, 32-byte x-only
            internal key for taproot.
        script_code: the script the signature commits to (empty for taproot).
        amount: the spent amount, in base units.
        output_key: for taproot, the 32-byte output key of the spent script, else empty.
        sighash_type: the sighash type to sign with.
    """

    index: int
    kind: SpendKind
    path: tuple[int, ...]
    pubkey: bytes
    script_code: bytes
    amount: int
    output_key: bytes
    sighash_type: int


@dataclass(frozen=True, slots=True)
class PsbtReview:
    """The outcome of a review: the summary to show, what to sign, and the proven spent outputs."""

    summary: TxSummary
    to_sign: tuple[InputToSign, ...]
    spent: tuple[TxOut, ...]


class _AccountKeys:
    """Public keys under the account, with the receive and change chain keys derived once."""

    __slots__ = ("_account", "_chains")

    def __init__(self, account: ExtendedPublicKey) -> None:
        self._account = account
        self._chains: dict[int, ExtendedPublicKey] = {}

    def pubkey(self, chain: int, index: int) -> bytes:
        key = self._chains.get(chain)
        if key is None:
            key = self._chains[chain] = self._account.child(chain)
        return key.child(index).public_key


def _network(ctx: SigningContext) -> UtxoParams:
    if not isinstance(ctx.network, UtxoParams):
        raise WrongNetwork("A PSBT is a UTXO-family transaction; the account is on an EVM network.")
    return ctx.network


def _account_kind(ctx: SigningContext, network: UtxoParams) -> SpendKind:
    path = ctx.account_path
    if len(path) != 3 or any(i < HARDENED for i in path):
        raise ForeignKeyPath(
            f"The account path {format_path(path)} is not a BIP-44-style account "
            "(purpose'/coin'/account')."
        )
    kind = _PURPOSE_KINDS.get(path[0])
    if kind is None:
        raise UnsupportedInput(f"Accounts of path {format_path(path)} are not signed here.")
    if path[1] != network.coin_type + HARDENED:
        raise WrongNetwork(
            f"The account path {format_path(path)} is not on {network.title} "
            f"(coin type {network.coin_type})."
        )
    return kind


def _relative_path(
    source: KeySource, ctx: SigningContext, network: UtxoParams, what: str, index: int
) -> tuple[int, int]:
    """Return (chain, index) of a key path under the account, or refuse it."""
    path = source.path
    account = ctx.account_path
    if len(path) >= 2 and path[1] != account[1]:
        coin = path[1] - HARDENED if path[1] >= HARDENED else path[1]
        raise WrongNetwork(
            f"{what} {index} uses a key of coin type {coin}: the PSBT was made for another "
            f"network than {network.title} (coin type {network.coin_type}).",
            index,
        )
    if (
        len(path) != len(account) + 2
        or path[: len(account)] != account
        or path[-2] not in (_RECEIVE, _CHANGE)
        or path[-1] >= HARDENED
    ):
        raise ForeignKeyPath(
            f"{what} {index} uses the key at {format_path(path)}, which is not a receive or "
            f"change key of the account {format_path(account)}.",
            index,
        )
    return path[-2], path[-1]


def _ours(inp: PsbtInput | PsbtOutput, fingerprint: bytes) -> list[tuple[bytes, KeySource]]:
    """Return (key, origin) pairs naming our fingerprint; taproot only for the key path."""
    found = [(k, s) for k, s in inp.bip32_derivations.items() if s.fingerprint == fingerprint]
    found += [
        (k, t.source)
        for k, t in inp.tap_bip32_derivations.items()
        if t.source.fingerprint == fingerprint and not t.leaf_hashes
    ]
    return found


def _check_sighash(inp: PsbtInput, kind: SpendKind, index: int) -> int:
    if kind is SpendKind.P2TR:
        if inp.sighash_type in (None, SIGHASH_DEFAULT):
            return SIGHASH_DEFAULT
        if inp.sighash_type == SIGHASH_ALL:
            return SIGHASH_ALL
    elif inp.sighash_type in (None, SIGHASH_ALL):
        return SIGHASH_ALL
    raise UnsupportedSighash(
        f"Input {index} asks for sighash type 0x{inp.sighash_type:02x}; this wallet signs only "
        "SIGHASH_ALL (and SIGHASH_DEFAULT for taproot), which commit to the whole transaction.",
        index,
    )


def _input_to_sign(
    psbt: Psbt,
    index: int,
    ours: list[tuple[bytes, KeySource]],
    account_kind: SpendKind,
    ctx: SigningContext,
    network: UtxoParams,
) -> InputToSign:
    inp = psbt.inputs[index]
    try:
        info = spend_info(psbt, index)
    except PsbtSignerCheckFailed as err:
        raise InvalidPsbt(f"Input {index} cannot be signed: {err}.", index) from None
    if info.kind not in _PURPOSE_KINDS.values():
        raise UnsupportedInput(
            f"Input {index} names this wallet's key but spends a {info.kind.value} output, "
            "which this signer does not sign.",
            index,
        )
    if info.kind is not account_kind:
        raise ForeignKeyPath(
            f"Input {index} spends a {info.kind.value} output, but the account "
            f"{format_path(ctx.account_path)} is a {account_kind.value} account.",
            index,
        )
    sighash = _check_sighash(inp, info.kind, index)
    if info.kind is not SpendKind.P2TR and inp.non_witness_utxo is None:
        raise UnprovenInput(
            f"Input {index} comes without its previous transaction (non_witness_utxo): the "
            "amount it spends cannot be proven, and a lying amount could hide a larger fee.",
            index,
        )
    if info.kind is SpendKind.P2TR:
        program = info.spent.script_pubkey[2:]
        if inp.tap_merkle_root is not None:
            raise UnsupportedInput(
                f"Input {index} commits to a taproot script tree; this signer signs only "
                "key-path outputs without scripts (BIP-86).",
                index,
            )
        for key, source in ours:
            if len(key) != 32:
                continue
            try:
                matches = taproot_output_key(key) == program
            except Secp256k1Error:
                matches = False
            if matches:
                _relative_path(source, ctx, network, "Input", index)
                if inp.tap_internal_key not in (None, key):
                    raise InvalidPsbt(f"Input {index} names two different internal keys.", index)
                return InputToSign(
                    index, info.kind, source.path, key, b"", info.spent.value, program, sighash
                )
    else:
        for key, source in ours:
            if len(key) == 33 and hash160(key) == info.key_hash:
                _relative_path(source, ctx, network, "Input", index)
                return InputToSign(
                    index,
                    info.kind,
                    source.path,
                    key,
                    info.script_code,
                    info.spent.value,
                    b"",
                    sighash,
                )
    raise KeyMismatch(
        f"Input {index} names this wallet's key, but no key it names is the one its script pays.",
        index,
    )


def _change_script(kind: SpendKind, pubkey: bytes) -> bytes:
    # The account kinds (_PURPOSE_KINDS) are exactly the single-key kinds, by value.
    return key_script(KeyScriptKind(kind.value), pubkey)


def _is_change(
    out: PsbtOutput,
    fingerprint: bytes,
    keys: _AccountKeys,
    kind: SpendKind,
    ctx: SigningContext,
) -> bool:
    """Return whether our own derivation reproduces the output's script (BIP-174 change).

    Raises:
        KeyMismatch: the output names a key of this very account, yet pays another script:
            whoever made the PSBT swapped the change (or receive) address under a true origin,
            hoping the summary would show it as the wallet's own.
    """
    account = ctx.account_path
    named = False
    for _, source in _ours(out, fingerprint):
        path = source.path
        if (
            len(path) == len(account) + 2
            and path[: len(account)] == account
            and path[-2] in (_RECEIVE, _CHANGE)
            and path[-1] < HARDENED
        ):
            named = True
            if _change_script(kind, keys.pubkey(path[-2], path[-1])) == out.script:
                return True
    if named:
        raise KeyMismatch(
            "An output names a key of this account but pays another script: its address was "
            "swapped after the PSBT was made. Nothing was signed."
        )
    return False


def _address(script: bytes, network: UtxoParams, index: int) -> str:
    try:
        return output_text(script, network)
    except AddressError as err:
        raise OutputNotForNetwork(
            f"Output {index} pays a script with no address on {network.title}: {err}", index
        ) from None


# What signing adds to an input of each single-key kind, in weight units, with the ECDSA
# signature at its largest (72 bytes with the sighash byte, low S, as Core counts it): the
# wallet sizes its fee the same way (``chains.utxo.sizes.InputSize``), so the rate shown is
# the rate the fee was set for.
_ECDSA_WITNESS = 1 + (1 + 72) + (1 + 33)  # item count, signature, compressed key (BIP-143)
_ADDED_WEIGHT = {
    SpendKind.P2PKH: (4 * ((1 + 72) + (1 + 33)), False),  # scriptSig: signature, key
    SpendKind.P2SH_P2WPKH: (4 * (1 + 22) + _ECDSA_WITNESS, True),  # redeem script push
    SpendKind.P2WPKH: (_ECDSA_WITNESS, True),
    SpendKind.P2TR: (1 + 1 + 64, True),  # key path: one 64-byte Schnorr signature (BIP-341)
}


def _signed_vsize(psbt: Psbt, stripped_size: int) -> int | None:
    """Return the signed transaction's virtual size (BIP-141), ``None`` for an unknown input.

    The unsigned transaction has empty scriptSigs (their length byte counted already); each
    input adds its scriptSig and witness, a segwit transaction its marker and flag, and a
    non-segwit input in it an empty witness.
    """
    weight = 4 * stripped_size
    segwit = False
    legacy = 0
    for index in range(len(psbt.inputs)):
        try:
            kind = spend_info(psbt, index).kind
        except PsbtSignerCheckFailed:
            return None
        added = _ADDED_WEIGHT.get(kind)
        if added is None:
            return None
        weight += added[0]
        segwit = segwit or added[1]
        legacy += 0 if added[1] else 1
    if segwit:
        weight += 2 + legacy
    return -(-weight // 4)


def review_psbt(
    psbt: Psbt, fingerprint: bytes, account_xpub: ExtendedPublicKey, ctx: SigningContext
) -> PsbtReview:
    """Recompute the summary of ``psbt`` and decide which inputs to sign (see the module doc).

    Args:
        psbt: the PSBT, parsed by the caller from the bytes it was given.
        fingerprint: this wallet's master key fingerprint (4 bytes).
        account_xpub: the extended public key at ``ctx.account_path``.
        ctx: the network, account path, expected summary and fee cap.

    Returns:
        The summary, the inputs to sign and the proven outputs every input spends.

    Raises:
        WrongNetwork: an EVM network, or keys and summary of another network.
        ForeignKeyPath: a key of ours outside the account, or of another script kind.
        KeyMismatch: an input names our key but its script pays another.
        UnsupportedInput: an input of ours this signer cannot sign.
        UnsupportedSighash: a sighash type other than ALL (or DEFAULT for taproot).
        UnprovenInput: an amount without proof.
        OutputNotForNetwork: an output without an address on the network.
        InvalidPsbt: the PSBT's parts contradict each other, or outputs exceed inputs.
        FeeAboveCap: the fee is above ``ctx.max_fee``.
        SummaryMismatch: the summary is not ``ctx.expected``.
        NothingToSign: no unfinalized input names our key.
    """
    network = _network(ctx)
    account_kind = _account_kind(ctx, network)
    try:
        tx = psbt.unsigned_tx()
    except PsbtError as err:
        raise InvalidPsbt(f"The PSBT's transaction cannot be built: {err}.") from None
    to_sign: list[InputToSign] = []
    for index, inp in enumerate(psbt.inputs):
        ours = _ours(inp, fingerprint)
        if ours and not inp.is_finalized:
            to_sign.append(_input_to_sign(psbt, index, ours, account_kind, ctx, network))
    if not to_sign:
        raise NothingToSign(
            f"No input of this PSBT is signed by this wallet (master key fingerprint "
            f"{fingerprint.hex()}), or all of them are final already."
        )
    taproot_commits = any(t.kind is SpendKind.P2TR for t in to_sign)
    spent: list[TxOut] = []
    for index, inp in enumerate(psbt.inputs):
        out = inp.spent_output()
        # A witness UTXO alone proves nothing: only the full previous transaction (its txid
        # checked by the parser) does, or a taproot signature, which commits to every input's
        # amount and script so that a lie makes it invalid (BIP-341, BIP-371 "UTXO Types").
        if out is None or (inp.non_witness_utxo is None and not taproot_commits):
            raise UnprovenInput(
                f"The amount input {index} spends is not proven: its previous transaction "
                "(non_witness_utxo) is missing.",
                index,
            )
        spent.append(out)
    keys = _AccountKeys(account_xpub)
    summary = summarize_psbt(
        psbt,
        tx,
        spent,
        ctx,
        lambda index, output: _is_change(output, fingerprint, keys, account_kind, ctx),
        _signed_vsize(psbt, len(tx.serialize(include_witness=False))),
    )
    return PsbtReview(summary, tuple(to_sign), tuple(spent))


def summarize_psbt(
    psbt: Psbt,
    tx: Transaction,
    spent: Sequence[TxOut],
    ctx: SigningContext,
    is_change: Callable[[int, PsbtOutput], bool],
    vsize: int | None,
) -> TxSummary:
    """Return the summary a signer shows, recomputed from the PSBT and the proven amounts.

    ``tx`` is the PSBT's unsigned transaction, ``spent`` the outputs its inputs spend.

    Every output with its address and amount (``is_change`` says which the signer proved to
    be its own), the fee, replaceability; then the fee cap and, when the online side showed
    a summary, ``compare_summaries``. Single-key and policy reviews both end here.

    Raises:
        InvalidPsbt: a negative amount, or outputs paying more than the inputs spend.
        OutputNotForNetwork: an output script with no address on the network.
        FeeAboveCap: the fee is above ``ctx.max_fee``.
        WrongNetwork, SummaryMismatch: as ``compare_summaries``.
    """
    network = ctx.network
    assert isinstance(network, UtxoParams)  # noqa: S101 - the reviews check it first
    outputs = []
    for index, output in enumerate(psbt.outputs):
        if output.amount < 0:
            raise InvalidPsbt(f"Output {index} has a negative amount.", index)
        outputs.append(
            SummaryOutput(
                address=_address(output.script, network, index),
                amount=output.amount,
                is_change=is_change(index, output),
            )
        )
    fee = sum(o.value for o in spent) - sum(o.amount for o in psbt.outputs)
    if fee < 0:
        raise InvalidPsbt("The outputs pay more than the inputs spend.")
    if ctx.max_fee is not None and fee > ctx.max_fee:
        raise FeeAboveCap(
            f"The fee is {fee} base units of {network.symbol}, above the cap of {ctx.max_fee}."
        )
    summary = TxSummary(
        network=network.name,
        outputs=tuple(outputs),
        fee=fee,
        replaceable=tx.signals_rbf(),
        vsize=vsize,
    )
    if ctx.expected is not None:
        compare_summaries(summary, ctx.expected, network)
    return summary


def compare_summaries(actual: TxSummary, expected: TxSummary, network: UtxoParams) -> None:
    """Refuse when the recomputed summary is not the one the online side showed.

    Raises:
        WrongNetwork: the expected summary is for another network.
        SummaryMismatch: outputs, amounts, change flags, fee or replaceability differ.
    """
    if expected.network != actual.network:
        raise WrongNetwork(
            f"The wallet showed a transaction on {expected.network}; this PSBT is signed "
            f"for {network.title}."
        )
    if len(expected.outputs) != len(actual.outputs):
        raise SummaryMismatch(
            f"The PSBT has {len(actual.outputs)} outputs; the wallet showed "
            f"{len(expected.outputs)}."
        )
    for index, (got, shown) in enumerate(zip(actual.outputs, expected.outputs, strict=True)):
        if got.address != shown.address:
            raise SummaryMismatch(
                f"Output {index} pays {got.address}; the wallet showed {shown.address}.", index
            )
        if got.amount != shown.amount:
            raise SummaryMismatch(
                f"Output {index} pays {got.amount} base units; the wallet showed {shown.amount}.",
                index,
            )
        if got.is_change != shown.is_change:
            what = "is not" if shown.is_change else "is"
            raise SummaryMismatch(
                f"Output {index} {what} change that this wallet can prove; the wallet showed "
                "otherwise.",
                index,
            )
    if actual.fee != expected.fee:
        raise SummaryMismatch(
            f"The fee is {actual.fee} base units; the wallet showed {expected.fee}."
        )
    if actual.replaceable != expected.replaceable:
        raise SummaryMismatch(
            "The transaction's replaceability (BIP-125) is not what the wallet showed."
        )
