"""The signing flow beyond the hot signer: exports, watch-only round trips, PSBT files."""
