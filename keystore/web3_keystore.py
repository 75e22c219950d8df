"""Web3 Secret Storage (version 3): the JSON key files geth, MetaMask and eth-account write.

The file holds one secp256k1 key encrypted with AES-128-CTR under a key stretched from a
password with scrypt or PBKDF2-HMAC-SHA256. The derived key's first 16 bytes are the AES key;
``keccak256(dk[16:32] || ciphertext)`` is the MAC that proves the password before anything is
decrypted. Reading one:

1. parse the JSON (``crypto`` or geth's older ``Crypto``) and check every field's type;
2. check the KDF parameters before running the KDF: scrypt ``n`` a power of two, ``r`` and
   ``p`` positive, at most 1 GiB of memory (geth's "standard" is 256 MiB) and 8 times the
   standard's work; PBKDF2 with
   HMAC-SHA256 and at most ten million iterations; a derived key of 32 bytes or more;
3. derive the key and compare the MAC in constant time: a mismatch is a wrong password
   (or a damaged file; the two cannot be told apart);
4. decrypt, and check the key is a valid secp256k1 key and, when the file names an address,
   that it is the key's.

Nothing here writes the key anywhere: the caller seals it (``keystore.vault.seal``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass

from coincurve import PrivateKey
from Crypto.Protocol.KDF import scrypt
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from keystore.errors import KeystoreError
from keystore.secrets import SecretBytes, SecretStr
from primitives.evm_address import evm_address_from_pubkey
from primitives.hashes import keccak256

__all__ = [
    "DefectiveKeyFile",
    "ImportedKey",
    "WrongKeyFilePassword",
    "read_web3_keystore",
]

_MAX_SCRYPT_MEMORY = 1 << 30
_MAX_SCRYPT_WORK = 1 << 24  # n * r * p: geth's "standard" (2^18, 8, 1) is 2^21
_MAX_PBKDF2_ROUNDS = 10_000_000
_MAX_DKLEN = 64


class DefectiveKeyFile(KeystoreError, ValueError):
    """The file is not a Web3 Secret Storage key file this reader accepts; the text says why."""


class WrongKeyFilePassword(KeystoreError):
    """The MAC does not match: the password is wrong (or the file was altered)."""


@dataclass(frozen=True, slots=True)
class ImportedKey:
    """A key read from a key file: the secret (redacted in ``repr``) and its address."""

    key: SecretBytes
    address: str


def _field(obj: Mapping[str, object], name: str, kind: type, where: str) -> object:
    value = obj.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise DefectiveKeyFile(f"The key file's {where}{name} is missing or not a {kind.__name__}.")
    return value


def _hex(obj: Mapping[str, object], name: str, where: str) -> bytes:
    text = _field(obj, name, str, where)
    assert isinstance(text, str)  # noqa: S101 - _field checked it
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise DefectiveKeyFile(f"The key file's {where}{name} is not hex.") from None


def _int(obj: Mapping[str, object], name: str, where: str) -> int:
    value = _field(obj, name, int, where)
    assert isinstance(value, int)  # noqa: S101 - _field checked it
    return value


def _derive(crypto: Mapping[str, object], password: bytes) -> bytes:
    kdf = crypto.get("kdf")
    params = crypto.get("kdfparams")
    if not isinstance(params, Mapping):
        raise DefectiveKeyFile("The key file has no KDF parameters (crypto.kdfparams).")
    dklen = _int(params, "dklen", "kdfparams.")
    if not 32 <= dklen <= _MAX_DKLEN:
        raise DefectiveKeyFile(f"The key file's derived key length {dklen} is not 32 to 64.")
    salt = _hex(params, "salt", "kdfparams.")
    if kdf == "scrypt":
        n, r, p = (_int(params, k, "kdfparams.") for k in ("n", "r", "p"))
        if n < 2 or n & (n - 1) or r < 1 or p < 1:
            raise DefectiveKeyFile(
                "The key file's scrypt parameters are invalid (n a power of two, r and p positive)."
            )
        memory = 128 * r * n  # scrypt's V array; the p lanes run one after another
        if memory > _MAX_SCRYPT_MEMORY:
            raise DefectiveKeyFile(
                f"The key file asks scrypt for {memory >> 20} MiB; more than 1 GiB is refused."
            )
        if n * r * p > _MAX_SCRYPT_WORK:
            raise DefectiveKeyFile(
                "The key file asks scrypt for more than 8 times geth's standard work; refused."
            )
        # pycryptodome's scrypt, not OpenSSL's: OpenSSL refuses n >= 2^(16 r), which the
        # specification's own vector (n 2^18, r 1) needs.
        derived = scrypt(password, salt, dklen, n, r, p)  # type: ignore[arg-type] # bytes work
        assert isinstance(derived, bytes)  # noqa: S101 - one key asked for (num_keys=1)
        return derived
    if kdf == "pbkdf2":
        rounds = _int(params, "c", "kdfparams.")
        if params.get("prf") != "hmac-sha256":
            raise DefectiveKeyFile("The key file's PBKDF2 uses a PRF other than hmac-sha256.")
        if not 1 <= rounds <= _MAX_PBKDF2_ROUNDS:
            raise DefectiveKeyFile(
                f"The key file asks PBKDF2 for {rounds} rounds; 1 to ten million are accepted."
            )
        return hashlib.pbkdf2_hmac("sha256", password, salt, rounds, dklen)
    raise DefectiveKeyFile(f"The key file's KDF {kdf!r} is not scrypt or pbkdf2.")


def read_web3_keystore(document: bytes | str, password: SecretStr) -> ImportedKey:
    """Decrypt a Web3 Secret Storage (v3) key file.

    Args:
        document: the file's JSON text.
        password: the file's password.

    Raises:
        DefectiveKeyFile: not JSON, not version 3, an unknown cipher or KDF, parameters
            out of bounds, a key that is not a secp256k1 key, or an address that is not
            the key's.
        WrongKeyFilePassword: the MAC does not match the password.
    """
    try:
        data = json.loads(document)
    except (ValueError, UnicodeDecodeError):
        raise DefectiveKeyFile("The key file is not JSON.") from None
    if not isinstance(data, Mapping):
        raise DefectiveKeyFile("The key file is not a JSON object.")
    if data.get("version") != 3:
        raise DefectiveKeyFile("The key file is not Web3 Secret Storage version 3.")
    crypto = data.get("crypto", data.get("Crypto"))
    if not isinstance(crypto, Mapping):
        raise DefectiveKeyFile("The key file has no 'crypto' section.")
    if crypto.get("cipher") != "aes-128-ctr":
        raise DefectiveKeyFile(
            f"The key file's cipher {crypto.get('cipher')!r} is not aes-128-ctr."
        )
    params = crypto.get("cipherparams")
    if not isinstance(params, Mapping):
        raise DefectiveKeyFile("The key file has no cipher parameters.")
    iv = _hex(params, "iv", "cipherparams.")
    ciphertext = _hex(crypto, "ciphertext", "crypto.")
    mac = _hex(crypto, "mac", "crypto.")
    if len(iv) != 16 or len(ciphertext) != 32 or len(mac) != 32:
        raise DefectiveKeyFile("The key file's IV, ciphertext or MAC has the wrong length.")
    derived = _derive(crypto, password.reveal().encode())
    if not hmac.compare_digest(keccak256(derived[16:32] + ciphertext), mac):
        raise WrongKeyFilePassword("The password does not open this key file.")
    decryptor = Cipher(algorithms.AES(derived[:16]), modes.CTR(iv)).decryptor()
    secret = decryptor.update(ciphertext) + decryptor.finalize()
    try:
        public = PrivateKey(secret).public_key.format(compressed=False)
    except ValueError:
        raise DefectiveKeyFile("The key file holds no valid secp256k1 key.") from None
    address = evm_address_from_pubkey(public)
    named = data.get("address")
    if isinstance(named, str) and named.lower().removeprefix("0x") != address[2:].lower():
        raise DefectiveKeyFile(f"The key file names the address {named}, not its key's {address}.")
    return ImportedKey(SecretBytes(secret), address)
