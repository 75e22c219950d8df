"""The Coffer domain and public Python API.

```python
from wallet import Wallet

w = Wallet.create(path, password)          # new seed; or mnemonic="..."
acct = w.account("bitcoin")
acct.receive_address()
```

Everything the API returns is importable from here: accounts, drafts and signed
transactions, balances, history entries, coins, sync reports, address facts, labels and
watch events. The errors stay in ``wallet.errors``.
"""

import logging

from chains.registry import ScriptKind
from chains.utxo.fees import LEVELS as FEE_LEVELS
from keystore.types import SummaryOutput, TxSummary
from wallet.account_book import AccountBook
from wallet.accounts import Account, EvmAccount, UtxoAccount
from wallet.addresses import AddressCheck
from wallet.amounts import Amount, format_amount, parse_decimal, to_base_units, to_decimal
from wallet.backends import BackendPool
from wallet.devnet import DevnetControl, DevnetFunding, DevnetStatus
from wallet.evm.types import Collectible, EvmDraft, SentTransaction, TokenHolding
from wallet.labels import Label, LabelStore, ParsedLabels, parse_bip329
from wallet.mnemonics import LANGUAGES, complete_mnemonic_word, new_mnemonic, validate_mnemonic
from wallet.money import (
    Allocation,
    BalanceChange,
    Holding,
    HoldingKind,
    HoldingsSource,
    MissingDay,
    Money,
    NetWorthPoint,
    NetWorthSeries,
    Portfolio,
    PortfolioRow,
    PriceService,
    Quote,
)
from wallet.money.fiat import FiatBook
from wallet.networks import Network, network_info, resolve_network
from wallet.passwords import MIN_PASSWORD_LENGTH, check_new_password
from wallet.settings import WalletSettings
from wallet.types import (
    AccountKind,
    AccountRecord,
    AddressInfo,
    Balance,
    CoinInfo,
    Draft,
    EvmLayout,
    FeeLevel,
    HistoryEntry,
    SignedTransaction,
    SyncOutcome,
    SyncReport,
    TxStatus,
    WatchedAddress,
)
from wallet.utxo.builder import DraftInput, UtxoDraft
from wallet.utxo.fees import FeePresets
from wallet.utxo.views import AccountView
from wallet.wallet import DEFAULT_ACCOUNT_NETWORKS, Wallet, check_new_wallet_path
from wallet.watch import Watcher, WatchEvent

# A library adds no output of its own: a program that configures no logging sees nothing.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_ACCOUNT_NETWORKS",
    "FEE_LEVELS",
    "LANGUAGES",
    "MIN_PASSWORD_LENGTH",
    "Account",
    "AccountBook",
    "AccountKind",
    "AccountRecord",
    "AccountView",
    "AddressCheck",
    "AddressInfo",
    "Allocation",
    "Amount",
    "BackendPool",
    "Balance",
    "BalanceChange",
    "CoinInfo",
    "Collectible",
    "DevnetControl",
    "DevnetFunding",
    "DevnetStatus",
    "Draft",
    "DraftInput",
    "EvmAccount",
    "EvmDraft",
    "EvmLayout",
    "FeeLevel",
    "FeePresets",
    "FiatBook",
    "HistoryEntry",
    "Holding",
    "HoldingKind",
    "HoldingsSource",
    "Label",
    "LabelStore",
    "MissingDay",
    "Money",
    "NetWorthPoint",
    "NetWorthSeries",
    "Network",
    "ParsedLabels",
    "Portfolio",
    "PortfolioRow",
    "PriceService",
    "Quote",
    "ScriptKind",
    "SentTransaction",
    "SignedTransaction",
    "SummaryOutput",
    "SyncOutcome",
    "SyncReport",
    "TokenHolding",
    "TxStatus",
    "TxSummary",
    "UtxoAccount",
    "UtxoDraft",
    "Wallet",
    "WalletSettings",
    "WatchEvent",
    "WatchedAddress",
    "Watcher",
    "check_new_password",
    "check_new_wallet_path",
    "complete_mnemonic_word",
    "format_amount",
    "network_info",
    "new_mnemonic",
    "parse_bip329",
    "parse_decimal",
    "resolve_network",
    "to_base_units",
    "to_decimal",
    "validate_mnemonic",
]
