"""Secrets and signing: mnemonics, HD derivation, the sealed seed and signers. No network I/O."""

import logging

# A library adds no output of its own: a program that configures no logging sees nothing.
logging.getLogger(__name__).addHandler(logging.NullHandler())
