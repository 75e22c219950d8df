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
from keystore.types import MessageSignature, SummaryOutput, TxSummary
from wallet.account_book import AccountBook
from wallet.accounts import Account, EvmAccount, UtxoAccount
from wallet.addresses import AddressCheck
from wallet.amounts import (
    Amount,
    format_amount,
    parse_decimal,
    to_base_units,
    to_decimal,
    units_for_value,
)
from wallet.backends import BackendPool
from wallet.backup import (
    Codex32Backup,
    codex32_backup,
    codex32_seed,
    codex32_share_threshold,
    codex32_worksheet,
)
from wallet.cancel import CancelToken
from wallet.devnet import DevnetControl, DevnetFunding, DevnetStatus
from wallet.display import DisplaySettings
from wallet.evm.fee_levels import EvmFeeLevel, EvmFeeLevels
from wallet.evm.review_types import ApprovalChange, AssetChange, EvmReview, Intent, IntentField
from wallet.evm.types import Collectible, EvmDraft, SentTransaction, TokenHolding
from wallet.labels import Label, LabelStore, ParsedLabels, parse_bip329
from wallet.messages import MessageBook, MessageCheck, Web3Account, verify_message
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
from wallet.money.budgets import (
    Budget,
    BudgetMonth,
    Category,
    CategoryRule,
    RuleKind,
    SpendingLine,
    SpendingReport,
    ValuedLine,
)
from wallet.money.fiat import FiatBook
from wallet.money.insights import Insight, InsightKind
from wallet.money.onramp import OnRamp, PurchaseLink, ReceiveTarget, SaleLink
from wallet.money.spending import Budgets
from wallet.money.tax import (
    Disposal,
    HistoryEvents,
    Lot,
    LotUse,
    Method,
    Pooling,
    PriceLookup,
    PriceQuote,
    PriceTable,
    TaxReport,
)
from wallet.money.tax.store import PurchaseRow
from wallet.networks import Network, network_info, resolve_network
from wallet.passwords import (
    MIN_PASSWORD_LENGTH,
    PasswordStrength,
    check_new_password,
    password_strength,
)
from wallet.requests import (
    FxQuote,
    Payment,
    PaymentLink,
    PaymentRequest,
    RequestStatus,
    parse_payment_link,
    read_link_image,
)
from wallet.settings import WalletSettings
from wallet.signing.devices import (
    DEVICE_NETWORKS,
    HardwareWallet,
    devices_for_account,
    export_from_device,
    hardware_wallets,
    show_address_on_device,
    sign_on_device,
    signing_device,
)
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
from wallet.utxo.mempool import MempoolCheck
from wallet.utxo.paths import SpendPath
from wallet.utxo.recovery import CoinClock, RecoveryStatus
from wallet.utxo.views import AccountView
from wallet.valuation import TransactionValue, Valuation, coin_value, transaction_value
from wallet.wallet import DEFAULT_ACCOUNT_NETWORKS, Wallet, check_new_wallet_path
from wallet.watch import Watcher, WatchEvent

# A library adds no output of its own: a program that configures no logging sees nothing.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_ACCOUNT_NETWORKS",
    "DEVICE_NETWORKS",
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
    "ApprovalChange",
    "AssetChange",
    "BackendPool",
    "Balance",
    "BalanceChange",
    "Budget",
    "BudgetMonth",
    "Budgets",
    "CancelToken",
    "Category",
    "CategoryRule",
    "Codex32Backup",
    "CoinClock",
    "CoinInfo",
    "Collectible",
    "DevnetControl",
    "DevnetFunding",
    "DevnetStatus",
    "DisplaySettings",
    "Disposal",
    "Draft",
    "DraftInput",
    "EvmAccount",
    "EvmDraft",
    "EvmFeeLevel",
    "EvmFeeLevels",
    "EvmLayout",
    "EvmReview",
    "FeeLevel",
    "FeePresets",
    "FiatBook",
    "FxQuote",
    "HardwareWallet",
    "HistoryEntry",
    "HistoryEvents",
    "Holding",
    "HoldingKind",
    "HoldingsSource",
    "Insight",
    "InsightKind",
    "Intent",
    "IntentField",
    "Label",
    "LabelStore",
    "Lot",
    "LotUse",
    "MempoolCheck",
    "MessageBook",
    "MessageCheck",
    "MessageSignature",
    "Method",
    "MissingDay",
    "Money",
    "NetWorthPoint",
    "NetWorthSeries",
    "Network",
    "OnRamp",
    "ParsedLabels",
    "PasswordStrength",
    "Payment",
    "PaymentLink",
    "PaymentRequest",
    "Pooling",
    "Portfolio",
    "PortfolioRow",
    "PriceLookup",
    "PriceQuote",
    "PriceService",
    "PriceTable",
    "PurchaseLink",
    "PurchaseRow",
    "Quote",
    "ReceiveTarget",
    "RecoveryStatus",
    "RequestStatus",
    "RuleKind",
    "SaleLink",
    "ScriptKind",
    "SentTransaction",
    "SignedTransaction",
    "SpendPath",
    "SpendingLine",
    "SpendingReport",
    "SummaryOutput",
    "SyncOutcome",
    "SyncReport",
    "TaxReport",
    "TokenHolding",
    "TransactionValue",
    "TxStatus",
    "TxSummary",
    "UtxoAccount",
    "UtxoDraft",
    "Valuation",
    "ValuedLine",
    "Wallet",
    "WalletSettings",
    "WatchEvent",
    "WatchedAddress",
    "Watcher",
    "Web3Account",
    "check_new_password",
    "check_new_wallet_path",
    "codex32_backup",
    "codex32_seed",
    "codex32_share_threshold",
    "codex32_worksheet",
    "coin_value",
    "complete_mnemonic_word",
    "devices_for_account",
    "export_from_device",
    "format_amount",
    "hardware_wallets",
    "network_info",
    "new_mnemonic",
    "parse_bip329",
    "parse_decimal",
    "parse_payment_link",
    "password_strength",
    "read_link_image",
    "resolve_network",
    "show_address_on_device",
    "sign_on_device",
    "signing_device",
    "to_base_units",
    "to_decimal",
    "transaction_value",
    "units_for_value",
    "validate_mnemonic",
    "verify_message",
]
