"""The offline signer's window (``python -m gui.signer [WALLET]``)."""
