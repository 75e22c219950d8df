"""The signer of one imported EVM key (a Web3 Secret Storage file): no seed, no derivation.

It signs for the single address its key stands for; the path in a request or a signing
context is ignored (an imported account has none). The review is the hot signer's: the same
EVM and message modules run.
"""

from __future__ import annotations

from typing import NoReturn

from coincurve import PrivateKey

from keystore.errors import SigningRefused
from keystore.secrets import SecretBytes
from keystore.signers.base import Capability, SignerInfo, SignerKind, SigningContext, require
from keystore.signers.evm_signer import sign_evm_with_key
from keystore.signers.message_signer import sign_message_with_key
from keystore.types import (
    AccountExport,
    EvmParams,
    EvmTxRequest,
    MessageRequest,
    MessageSignature,
    SignedEvmTx,
    UtxoParams,
)
from primitives.evm_address import evm_address_from_pubkey
from primitives.hashes import hash160

__all__ = ["KeySigner"]


class KeySigner:
    """Sign EVM transactions and messages with one private key."""

    __slots__ = ("_address", "_info", "_key")

    def __init__(self, key: SecretBytes, label: str = "Imported key") -> None:
        """Hold ``key``, a 32-byte secp256k1 private key.

        Raises:
            SigningRefused: the bytes are not a valid secp256k1 key.
        """
        try:
            public = PrivateKey(key.reveal()).public_key
        except ValueError:
            raise SigningRefused("The imported key is not a valid secp256k1 key.") from None
        self._key = key
        self._address = evm_address_from_pubkey(public.format(compressed=False))
        self._info = SignerInfo(
            fingerprint=hash160(public.format(compressed=True))[:4],
            kind=SignerKind.HOT,
            label=label,
            capabilities=frozenset({Capability.EVM, Capability.MESSAGE_SIGNING}),
        )

    def __repr__(self) -> str:
        return f"<KeySigner {self._address}>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("KeySigner cannot be pickled")

    @property
    def info(self) -> SignerInfo:
        """Return the signer's key id (hash160 of its key, 4 bytes), kind and capabilities."""
        return self._info

    @property
    def address(self) -> str:
        """Return the EIP-55 address of the key."""
        return self._address

    def sign_psbt(self, psbt: bytes, ctx: SigningContext) -> bytes:
        """Refuse: an imported EVM key signs no Bitcoin-family transaction."""
        raise SigningRefused("An imported EVM key cannot sign a PSBT.")

    def sign_evm(self, tx: EvmTxRequest, ctx: SigningContext) -> SignedEvmTx:
        """Review and sign ``tx`` with the key (EIP-155/1559/2930).

        Raises:
            SigningRefused: the chain id or summary does not match.
            SigningCancelled: the person declined.
        """
        result: SignedEvmTx = sign_evm_with_key(self._key.reveal(), tx, ctx)
        return result

    def export_account(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> AccountExport:
        """Refuse: one imported key has no extended public key (watch its address instead).

        Raises:
            SigningRefused: always, naming the address to watch.
        """
        raise SigningRefused(
            f"An imported key has no extended public key to export; watch its address "
            f"{self._address} instead."
        )

    def display_address(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> str:
        """Refuse: this signer declares no address display (its address is ``address``).

        Raises:
            UnsupportedCapability: always, before anything is shown.
        """
        require(self._info, Capability.DISPLAY_ADDRESS, "display addresses")
        return self._address  # pragma: no cover - require raised

    def sign_message(self, request: MessageRequest, ctx: SigningContext) -> MessageSignature:
        """Sign an EIP-191 or EIP-712 message for the key's address.

        Raises:
            SigningRefused: another address, network or format family.
            SigningCancelled: the person declined.
        """
        result: MessageSignature = sign_message_with_key(self._key.reveal(), request, ctx)
        return result
