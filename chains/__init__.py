"""Chain adapters, backends and the network registry: public data and network I/O only."""
