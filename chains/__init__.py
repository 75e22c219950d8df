"""Chain adapters, backends and the network registry: public data and network I/O only."""

import logging

# A library adds no output of its own: a program that configures no logging sees nothing.
logging.getLogger(__name__).addHandler(logging.NullHandler())
