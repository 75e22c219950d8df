r"""Shared and time-locked custody: multisig, miniscript policies, recovery wallets, MuSig2.

``Wallet.custody`` returns the wallet's ``Custody``. Every policy account (ADR 0013) is created
here: from cosigners' keys (``create_multisig``), from any descriptor or BIP-388 policy
(``create_policy_account``), as a recovery (inheritance) wallet (``create_recovery_wallet``,
ADR 0014) or as a 2-of-2 MuSig2 wallet (``create_musig_wallet``, ADR 0012), whose two signing
rounds are ``musig_nonces`` and ``musig_sign``. The accounts themselves are ``UtxoAccount``\ s:
``prepare_send``, ``import_signed``, ``broadcast``, ``policy``, ``spend_paths``,
``recovery_status`` and ``prepare_refresh`` work on them.
"""

from __future__ import annotations

from collections.abc import Sequence

from chains.registry import UtxoNetwork, get_network
from keystore.signers.base import PromptHandler
from wallet.accounts import UtxoAccount
from wallet.errors import InvalidPolicy, translate_errors
from wallet.musig.book import MusigBook
from wallet.policy_book import PolicyBook
from wallet.types import Draft
from wallet.utxo.recovery import check_recovery_blocks, recovery_policy

__all__ = ["Custody"]


class Custody:
    """Cosigner keys out; multisig, policy, recovery and MuSig2 accounts in; MuSig2 rounds."""

    def __init__(self, policies: PolicyBook, musig: MusigBook) -> None:
        """Bind to the wallet's policy and MuSig2 books."""
        self._policies = policies
        self._musig = musig

    def cosigner_key(self, network: str, index: int = 0, script: str = "wsh") -> str:
        """Return this wallet's multisig key: ``[fp/48h/coinh/indexh/2h]xpub`` (BIP-48).

        ``script="tr"`` gives the key of BIP-48 script type 3 (``.../3h``) for taproot
        multisig. Give it to the other cosigners; they pass it to ``create_multisig``.

        Raises:
            WatchOnly: the wallet holds no seed.
            InvalidPolicy: a script other than ``wsh``/``tr``, or an index out of range.
        """
        return self._policies.cosigner_key(network, index, script)

    def create_multisig(
        self,
        network: str,
        threshold: int,
        cosigners: Sequence[str],
        script: str = "wsh",
        label: str = "",
    ) -> UtxoAccount:
        """Add a ``threshold``-of-N sorted multisig account of these cosigners' keys.

        Args:
            network: a Bitcoin-family network.
            threshold: signatures a spend needs.
            cosigners: every cosigner's export, this wallet's ``cosigner_key`` included: a key
                expression, a descriptor with origin, Coldcard/Sparrow multisig JSON, an xpub.
            script: ``wsh`` (``wsh(sortedmulti)``) or ``tr`` (``tr(H,sortedmulti_a)``, H the
                BIP-341 unspendable key).
            label: a name for the account.

        Raises:
            InvalidPolicy: a threshold out of range, a key twice or of another network.
            PolicyWithoutOwnKey: a seed wallet whose key is not among the cosigners.
            AccountExists: the wallet has this multisig already.
        """
        return self._policies.create_multisig(network, threshold, cosigners, script, label)

    def create_policy_account(self, network: str, policy: str, label: str = "") -> UtxoAccount:
        """Add a policy account: a descriptor with ``<0;1>``, BIP-388 JSON or a Coldcard file.

        Raises:
            InvalidPolicy: bad checksum, keys of another network, insane miniscript, no
                receive/change branches, or a script the wallet does not spend.
            PolicyWithoutOwnKey: a seed wallet holding none of the policy's keys (a
                watch-only wallet takes any policy).
            AccountExists: the wallet has this policy already.
        """
        return self._policies.create_policy_account(network, policy, label)

    def create_musig_wallet(
        self,
        network: str,
        other_key: str,
        fallback_after: int,
        label: str = "",
        *,
        index: int = 0,
        fallback_key: str = "own",
    ) -> UtxoAccount:
        """Add a 2-of-2 MuSig2 account with this wallet and one other participant.

        The descriptor is ``tr(musig(A,B)/<0;1>/*,and_v(v:pk(F/<0;1>/*),older(N)))``
        (BIP-390): a spend by both is one 64-byte signature (BIP-327 key path); F alone can
        spend a coin N blocks after it confirmed. A is ``cosigner_key(network, index, "tr")``.
        Both participants must register the same text: the one whose key is F passes
        ``fallback_key="own"``, the other ``"other"`` (or imports the first one's
        ``policy_export()`` with ``create_policy_account``).

        Args:
            network: a Bitcoin-family network with taproot.
            other_key: the other participant's ``cosigner_key(..., "tr")`` export.
            fallback_after: N, 1 to 65535 blocks.
            label: a name for the account.
            index: this wallet's cosigner key number.
            fallback_key: ``"own"`` or ``"other"``: whose key alone spends after N blocks.

        Raises:
            WatchOnly: the wallet holds no seed.
            InvalidPolicy: N out of range, a key that is not one, or this wallet's own key.
            AccountExists: the wallet has this account already.
        """
        return self._musig.create(
            network, other_key, fallback_after, label, index=index, fallback_key=fallback_key
        )

    def musig_nonces(self, draft_or_psbt: Draft | bytes | str, network: str | None = None) -> bytes:
        """MuSig2 round 1: return the PSBT with this wallet's public nonces added (BIP-373).

        Each secret nonce is committed to the wallet file before its public nonce is in the
        returned PSBT. Run again on the same PSBT, it gives the same nonces (safe to resend);
        after this wallet's nonce has signed, it gives a fresh one (the session starts over).

        Args:
            draft_or_psbt: a draft of a MuSig2 account, or a PSBT (binary or Base64).
            network: look only at this network's accounts (for a PSBT).

        Raises:
            WatchOnly: the wallet holds no seed.
            InvalidPsbt: not a PSBT.
            NothingToSign: no input is a MuSig2 spend of this wallet's accounts.
            MusigRefused: an input of this key that is not the account's (``foreign``), or
                a MuSig2 refusal (``reason``).
        """
        return self._musig.nonces(draft_or_psbt, network)

    def musig_sign(
        self,
        draft_or_psbt: Draft | bytes | str,
        prompt: PromptHandler | None = None,
        network: str | None = None,
        *,
        max_fee: int | None = None,
    ) -> bytes:
        """MuSig2 round 2: review, ask, then return the PSBT with this wallet's partial signatures.

        Only once every participant's nonce is in the PSBT (combine the round-1 PSBTs first).
        The summary is recomputed from the PSBT (change proven from the account's
        descriptor), compared with a draft's, and shown to ``prompt``. The nonce is marked
        used in the wallet file before the signature is returned: it never signs again.

        Raises:
            MusigRefused: ``participant-nonce`` (round 1 of someone missing), ``nonce-used``
                (this wallet already signed with the nonce in this PSBT: run round 1
                again), ``nonce-missing`` / ``nonce-mismatch`` (not a nonce this wallet
                issued), ``foreign``, ``invalid``.
            SigningCancelled: the person declined; no nonce was used.
            SigningRefused: the review refused it (fee cap, another summary than the draft's).
            WatchOnly, InvalidPsbt, NothingToSign: as ``musig_nonces``.
        """
        return self._musig.sign(draft_or_psbt, prompt, network, max_fee=max_fee)

    def create_recovery_wallet(
        self,
        network: str,
        recovery_key: str,
        after_blocks: int,
        taproot: bool = False,
        label: str = "",
        index: int = 0,
    ) -> UtxoAccount:
        """Add a recovery (inheritance) account: this wallet any time, ``recovery_key`` later.

        The policy is ``wsh(or_d(pk(OWNER),and_v(v:pkh(HEIR),older(N))))``, or with
        ``taproot`` ``tr(OWNER,and_v(v:pk(HEIR),older(N)))`` (the owner on the key path,
        the heir in a leaf). OWNER is ``cosigner_key(network, index, "wsh"|"tr")``. The heir
        imports the same policy (``policy_export("descriptor")``) with
        ``create_policy_account`` and spends with ``prepare_send(..., path="recovery")``
        once a coin has N confirmations; the owner restarts the clocks with
        ``prepare_refresh``. See ``wallet.utxo.recovery``.

        Args:
            network: a Bitcoin-family network.
            recovery_key: the heir's (or backup device's) cosigner export, any form
                ``create_multisig`` takes.
            after_blocks: N, 1 to 65,535 blocks (BIP-68; about 455 days on Bitcoin, 114 on
                Litecoin) after each coin confirms.
            taproot: the taproot variant.
            label: a name for the account.
            index: the BIP-48 account number of this wallet's key.

        Raises:
            WatchOnly: the wallet holds no seed.
            InvalidTimelock: N out of range.
            InvalidPolicy: an unreadable recovery key, one of another network, or this
                wallet's own key.
            AccountExists: the wallet has this recovery account already.
        """
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, UtxoNetwork):
            raise InvalidPolicy(f"{net.title} has no script policies (it is not Bitcoin-family).")
        check_recovery_blocks(after_blocks, net.block_seconds)  # before the seed is unsealed
        owner = self.cosigner_key(network, index, "tr" if taproot else "wsh")
        text = recovery_policy(net, owner, recovery_key, after_blocks, taproot)
        return self.create_policy_account(network, text, label)
