"""The hot signer: keys derived in this process from the wallet's own seed."""

from __future__ import annotations

from typing import NoReturn

from keystore.bip32 import ExtendedPrivateKey
from keystore.signers.accounts import address_of, export_from_root, script_kind
from keystore.signers.base import Capability, SignerInfo, SignerKind, SigningContext
from keystore.signers.evm_signer import sign_evm_with_key
from keystore.signers.message_signer import sign_message_with_key
from keystore.signers.psbt_signer import sign_psbt_with_root
from keystore.types import (
    AccountExport,
    EvmParams,
    EvmTxRequest,
    MessageRequest,
    MessageSignature,
    SignedEvmTx,
    UtxoParams,
)

__all__ = ["HotSigner"]


class HotSigner:
    """Sign PSBTs, EVM transactions and messages with keys derived from a master private key.

    The review (recompute the summary, prove change, compare with the expected summary, ask
    the prompt handler) happens in the family modules it calls, the same code an offline
    signer runs.
    """

    __slots__ = ("_info", "_root")

    def __init__(self, root: ExtendedPrivateKey, label: str = "This wallet") -> None:
        """Hold ``root``, the BIP-32 master private key."""
        self._root = root
        self._info = SignerInfo(
            fingerprint=root.fingerprint,
            kind=SignerKind.HOT,
            label=label,
            capabilities=frozenset(
                {
                    Capability.UTXO,
                    Capability.EVM,
                    Capability.TAPROOT,
                    Capability.POLICY,
                    Capability.MESSAGE_SIGNING,
                    Capability.DISPLAY_ADDRESS,
                }
            ),
        )

    def __repr__(self) -> str:
        return f"<HotSigner {self._info.fingerprint.hex()}>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("HotSigner cannot be pickled")

    @property
    def info(self) -> SignerInfo:
        """Return the signer's fingerprint, kind and capabilities."""
        return self._info

    def sign_psbt(self, psbt: bytes, ctx: SigningContext) -> bytes:
        """Sign every input of ``psbt`` whose BIP-32 derivation names this seed (BIP-174).

        Raises:
            SigningRefused: the PSBT does not match what the signer can verify.
            SigningCancelled: the person declined.
        """
        signed: bytes = sign_psbt_with_root(self._root, psbt, ctx)
        return signed

    def sign_evm(self, tx: EvmTxRequest, ctx: SigningContext) -> SignedEvmTx:
        """Sign ``tx`` with the key at ``ctx.account_path`` (EIP-155/1559).

        Raises:
            SigningRefused: the chain id or summary does not match.
            SigningCancelled: the person declined.
        """
        key = self._root.derive_path(ctx.account_path).private_key
        result: SignedEvmTx = sign_evm_with_key(key, tx, ctx)
        return result

    def export_account(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> AccountExport:
        """Return the key origin and extended public key of the account at ``path``.

        Raises:
            InvalidPath: not an account path of ``network``, or a script kind it lacks.
        """
        return export_from_root(self._root, network, path, script)

    def display_address(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> str:
        """Return the address of the key at ``path``, derived here from the seed.

        A hot signer's display is the screen of the program that holds it: the caller shows
        the text this returns, computed from the private key, not from the wallet's xpub.

        Raises:
            InvalidPath: a script kind the network lacks.
        """
        script_kind(network, script)
        return address_of(network, self._root.derive_path(path).public(), script)

    def sign_message(self, request: MessageRequest, ctx: SigningContext) -> MessageSignature:
        """Sign a message with the key at ``request.path`` after checking it is the address's.

        Raises:
            SigningRefused: another network, a format of the other family, or an address
                that is not the key's.
            SigningCancelled: the person declined.
        """
        key = self._root.derive_path(request.path).private_key
        result: MessageSignature = sign_message_with_key(key, request, ctx)
        return result
