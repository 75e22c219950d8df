"""The Coffer domain and public Python API."""
