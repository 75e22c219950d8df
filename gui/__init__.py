"""The PySide6 desktop application."""

import logging

# A library adds no output of its own: a program that configures no logging sees nothing.
logging.getLogger(__name__).addHandler(logging.NullHandler())
