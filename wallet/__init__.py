"""The Coffer domain and public Python API.

```python
from wallet import Wallet

w = Wallet.create(path, password)          # new seed; or mnemonic="..."
acct = w.account("bitcoin")
acct.receive_address()
```
"""

from wallet.accounts import Account, AddressInfo, EvmAccount, EvmLayout, UtxoAccount
from wallet.addresses import AddressCheck
from wallet.amounts import format_amount, to_base_units, to_decimal
from wallet.wallet import Wallet

__all__ = [
    "Account",
    "AddressCheck",
    "AddressInfo",
    "EvmAccount",
    "EvmLayout",
    "UtxoAccount",
    "Wallet",
    "format_amount",
    "to_base_units",
    "to_decimal",
]
