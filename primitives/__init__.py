"""Pure, dependency-light codecs shared by keystore and chains: no secrets, no network."""

import logging

# A library adds no output of its own: a program that configures no logging sees nothing.
logging.getLogger(__name__).addHandler(logging.NullHandler())
