"""Coffer."""
