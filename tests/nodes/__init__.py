"""Pytest plugins that start real local nodes."""
