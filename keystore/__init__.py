"""Secrets and signing: mnemonics, HD derivation, the sealed seed and signers. No network I/O."""
