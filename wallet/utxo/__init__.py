"""The UTXO family in the wallet: stored sync state, coins, history, sending."""
