"""Pure, dependency-light codecs shared by keystore and chains: no secrets, no network."""
