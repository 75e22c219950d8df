"""The wallet's MuSig2 entry points: the 2-of-2 account, the two rounds on PSBT files.

``MusigBook`` is what ``Wallet.custody.create_musig_wallet``, ``Wallet.custody.musig_nonces`` and
``Wallet.custody.musig_sign`` call. The account itself is a policy account
(``Wallet.custody.create_policy_account``) of the descriptor
``tr(musig(A,B)/<0;1>/*,and_v(v:pk(F/<0;1>/*),older(N)))`` where F, the key that may spend
alone after N blocks, is one of the two; both participants register the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chains.registry import UtxoNetwork
from keystore.signers.base import PromptHandler
from keystore.signers.hot import HotSigner
from keystore.signers.musig_session import (
    InvalidParticipantData,
    MissingParticipantNonce,
    MusigSessionError,
    NonceAlreadyUsed,
    NonceMismatch,
    NonceMissing,
)
from keystore.types import UtxoParams
from primitives.psbt import Psbt
from wallet.accounts import Account, UtxoAccount
from wallet.errors import (
    InvalidPolicy,
    MusigRefused,
    NothingToSign,
    WalletError,
    translate_errors,
)
from wallet.musig.fields import musig_participants
from wallet.musig.nonces import LEDGER_NAME, WalletNonceStore
from wallet.musig.rounds import MusigAccountKeys, musig_descriptor, musig_nonces, musig_sign
from wallet.signing.export import network_params
from wallet.signing.psbt import read_psbt
from wallet.storage import WalletDatabase
from wallet.types import Draft
from wallet.utxo.draft import UtxoDraft
from wallet.utxo.policy import cosigner_expression, read_policy

__all__ = ["MAX_FALLBACK_BLOCKS", "MusigBook", "MusigParts", "musig_errors"]

MAX_FALLBACK_BLOCKS = 0xFFFF
"""The longest BIP-68 height lock (``older(N)``, 16 bits of nSequence)."""


@dataclass(frozen=True, slots=True)
class MusigParts:
    """What the book uses of its wallet, handed down once (no reaching back up).

    Attributes:
        database: the open wallet file.
        wallet_id: returns the wallet's random id.
        signer: returns the hot signer of the seed.
        cosigner_key: ``Wallet.custody.cosigner_key``.
        create_policy_account: ``Wallet.custody.create_policy_account``.
        accounts: returns the wallet's accounts of a network (all when ``None``).
        account_by_id: returns an account by its id.
    """

    database: WalletDatabase
    wallet_id: Callable[[], str]
    signer: Callable[[], HotSigner]
    cosigner_key: Callable[[str, int, str], str]
    create_policy_account: Callable[[str, str, str], UtxoAccount]
    accounts: Callable[[str | None], Sequence[Account]]
    account_by_id: Callable[[int], Account]


class MusigBook:
    """Create 2-of-2 MuSig2 accounts and run this wallet's two rounds on their PSBTs."""

    def __init__(self, parts: MusigParts) -> None:
        """Bind to the wallet's parts."""
        self._parts = parts

    def store(self) -> WalletNonceStore:
        """Return the nonce store on the wallet file, its ledger in the wallet's ``.d`` folder."""
        db = self._parts.database
        ledger = db.path.with_name(db.path.name + ".d") / LEDGER_NAME
        return WalletNonceStore(db, self._parts.wallet_id(), Path(ledger))

    def create(
        self,
        network: str,
        other_key: str,
        fallback_after: int,
        label: str = "",
        *,
        index: int = 0,
        fallback_key: str = "own",
    ) -> UtxoAccount:
        """Add the 2-of-2 account (see ``Wallet.custody.create_musig_wallet``)."""
        if isinstance(fallback_after, bool) or not 1 <= fallback_after <= MAX_FALLBACK_BLOCKS:
            raise InvalidPolicy(
                f"The fallback delay is {fallback_after} blocks; it must be 1 to "
                f"{MAX_FALLBACK_BLOCKS} (a BIP-68 height lock)."
            )
        if fallback_key not in ("own", "other"):
            raise InvalidPolicy("fallback_key is 'own' or 'other'.")
        own = self._parts.cosigner_key(network, index, "tr")
        other = cosigner_expression(other_key, "tr")
        if other == own:
            raise InvalidPolicy("The other participant's key is this wallet's own key.")
        first, second = (own, other) if fallback_key == "own" else (other, own)
        text = musig_descriptor(first, second, fallback_after)
        return self._parts.create_policy_account(network, text, label)

    def _keys(self, account: UtxoAccount) -> MusigAccountKeys | None:
        if not account.is_policy or account.fingerprint is None:
            return None
        net = account.network
        assert isinstance(net, UtxoNetwork)  # noqa: S101 - a UtxoAccount's network
        descriptor = read_policy(net, account.descriptor())
        with musig_errors():
            first = descriptor.derive(0, 0)
        if musig_participants(first) is None:
            return None
        params = network_params(net)
        assert isinstance(params, UtxoParams)  # noqa: S101 - a UTXO network's parameters
        return MusigAccountKeys(params, descriptor, bytes.fromhex(account.fingerprint))

    def _find(
        self, data: Draft | bytes | str, network: str | None
    ) -> tuple[Psbt, list[MusigAccountKeys]]:
        if isinstance(data, Draft):
            account = self._parts.account_by_id(data.account_id)
            if not isinstance(account, UtxoAccount) or not isinstance(data, UtxoDraft):
                raise NothingToSign("This draft is not of a Bitcoin-family account.")
            keys = self._keys(account)
            if keys is None:
                raise NothingToSign("This draft's account is not a MuSig2 account.")
            return Psbt.parse(data.psbt), [keys]
        psbt = read_psbt(data)
        candidates = []
        for account in self._parts.accounts(network):
            if isinstance(account, UtxoAccount):
                keys = self._keys(account)
                if keys is not None:
                    candidates.append(keys)
        if not candidates:
            raise NothingToSign("This wallet has no MuSig2 account.")
        return psbt, candidates

    def nonces(self, data: Draft | bytes | str, network: str | None = None) -> bytes:
        """Run round 1 (see ``Wallet.custody.musig_nonces``)."""
        psbt, candidates = self._find(data, network)
        signer, store = self._parts.signer(), self.store()
        last: WalletError | None = None
        for keys in candidates:
            try:
                with musig_errors():
                    return musig_nonces(psbt, keys, signer, store).serialize()
            except NothingToSign as err:
                last = err
        raise last or NothingToSign("No input of this PSBT is a MuSig2 spend of this wallet.")

    def sign(
        self,
        data: Draft | bytes | str,
        prompt: PromptHandler | None = None,
        network: str | None = None,
        *,
        max_fee: int | None = None,
    ) -> bytes:
        """Run round 2 (see ``Wallet.custody.musig_sign``)."""
        psbt, candidates = self._find(data, network)
        expected = data.summary if isinstance(data, Draft) else None
        signer, store = self._parts.signer(), self.store()
        last: WalletError | None = None
        for keys in candidates:
            try:
                with musig_errors():
                    signed, _summary = musig_sign(
                        psbt, keys, signer, store, prompt, expected, max_fee
                    )
                return signed.serialize()
            except NothingToSign as err:
                last = err
        raise last or NothingToSign("No input of this PSBT is a MuSig2 spend of this wallet.")


_REASONS: tuple[tuple[type[MusigSessionError], str], ...] = (
    (NonceAlreadyUsed, "nonce-used"),
    (NonceMissing, "nonce-missing"),
    (NonceMismatch, "nonce-mismatch"),
    (MissingParticipantNonce, "participant-nonce"),
    (InvalidParticipantData, "invalid"),
)


@contextmanager
def musig_errors() -> Iterator[None]:
    """Turn keystore MuSig2 refusals into ``MusigRefused``, other lower errors as usual."""
    with translate_errors():
        try:
            yield
        except MusigSessionError as err:
            reason = next((r for kind, r in _REASONS if isinstance(err, kind)), "other")
            participant = getattr(err, "participant", None)
            raise MusigRefused(str(err), reason, participant) from err
