"""One MuSig2 signer as a process of its own: ``python -m tests.musig_signer STEP WALLET IN OUT``.

STEP is ``nonces`` (round 1) or ``sign`` (round 2). The PSBT comes from file ``IN`` and goes
to file ``OUT``, through the public API only (``Wallet.custody.musig_nonces`` / ``musig_sign``); a
refusal prints ``REFUSED <reason>: <message>`` and exits 3.

``--stop-after issue|consume`` lets a test kill the process at the worst moment: right after
the real wallet store committed a nonce as issued (before the PSBT is written), or marked it
used (before the partial signature exists anywhere); the process prints ``STOPPED`` and waits
to be SIGKILLed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.conftest import PASSWORD
from wallet import Wallet
from wallet.errors import MusigRefused
from wallet.musig.nonces import WalletNonceStore


def _stop_after(method: str) -> None:
    real = getattr(WalletNonceStore, method)

    def stopped(self: WalletNonceStore, *args: object) -> object:
        result = real(self, *args)
        print("STOPPED", flush=True)
        time.sleep(600)
        return result

    setattr(WalletNonceStore, method, stopped)


def main(argv: list[str]) -> int:
    step, wallet_path, source, target = argv[:4]
    if "--stop-after" in argv:
        _stop_after(argv[argv.index("--stop-after") + 1])
    data = Path(source).read_bytes()
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        try:
            out = (
                wallet.custody.musig_nonces(data)
                if step == "nonces"
                else wallet.custody.musig_sign(data)
            )
        except MusigRefused as err:
            print(f"REFUSED {err.reason}: {err}", flush=True)
            return 3
    Path(target).write_bytes(out)
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
