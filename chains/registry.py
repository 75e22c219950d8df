"""The network registry: every chain Coffer knows, as frozen data.

Adding a network means adding a ``UtxoNetwork`` or ``EvmNetwork`` entry to ``NETWORKS``.
Nothing registers itself at import time; adapters and backends are looked up from here by
the wallet.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from chains.errors import UnknownNetwork

__all__ = [
    "NETWORKS",
    "TICKERS",
    "ElectrumServer",
    "EvmNetwork",
    "Family",
    "Network",
    "ScriptKind",
    "UtxoNetwork",
    "XkeyVersions",
    "all_networks",
    "get_network",
]


class Family(enum.Enum):
    """A chain family: one adapter serves every network of a family."""

    UTXO = "utxo"
    EVM = "evm"


class ScriptKind(enum.Enum):
    """Output script types of the UTXO family, with their BIP-43 purpose."""

    P2WPKH = "p2wpkh"
    P2TR = "p2tr"
    P2SH_P2WPKH = "p2sh-p2wpkh"
    P2PKH = "p2pkh"

    @property
    def purpose(self) -> int:
        """Return the BIP-43 purpose (BIP-84, 86, 49 or 44) of this script kind."""
        return _PURPOSES[self]


_PURPOSES = {
    ScriptKind.P2WPKH: 84,
    ScriptKind.P2TR: 86,
    ScriptKind.P2SH_P2WPKH: 49,
    ScriptKind.P2PKH: 44,
}


@dataclass(frozen=True, slots=True)
class XkeyVersions:
    """The four-byte version prefixes of extended keys (BIP-32, SLIP-132)."""

    public: int
    private: int


@dataclass(frozen=True, slots=True)
class ElectrumServer:
    """A default Electrum-protocol server: host, port and whether it speaks TLS."""

    host: str
    port: int
    tls: bool = True


@dataclass(frozen=True, slots=True)
class UtxoNetwork:
    """Facts about one Bitcoin-family network.

    Attributes:
        name: the registry key, for example ``"litecoin-regtest"``.
        title: the human name, for example ``"Litecoin regtest"``.
        symbol: the ticker of the coin.
        coin_type: the SLIP-44 coin type used in derivation paths.
        decimals: digits after the point of one coin (8 for all current networks).
        hrp: the bech32 human-readable part, or ``None`` where segwit is absent.
        p2pkh_version: the base58check version byte of P2PKH addresses.
        p2sh_versions: accepted base58check version bytes of P2SH addresses; the first is the
            one Coffer encodes.
        wif_version: the version byte of WIF private keys.
        xkeys: extended-key versions per script kind (the first entry of each tuple is used for
            export; every entry is accepted on import).
        script_kinds: the script kinds this network supports, the default first.
        genesis_hash: the genesis block hash (display byte order), checked against servers.
        standard_xkey: the network's plain BIP-32 versions (xpub/tpub), used in descriptors.
        dust_relay_sat_vb: the dust relay fee rate of the reference node (satoshis per vbyte).
        min_relay_sat_vb: the minimum relay fee rate (satoshis per vbyte).
        fallback_fee_sat_vb: the fee rate used when the backend has no estimate (regtest).
        explorer: the base URL of a block explorer, if one exists.
        block_seconds: the network's target time between blocks, in seconds.
        electrum_servers: default Electrum servers.
        is_testnet: whether coins on this network have no value.
    """

    name: str
    title: str
    symbol: str
    coin_type: int
    decimals: int
    hrp: str | None
    p2pkh_version: int
    p2sh_versions: tuple[int, ...]
    wif_version: int
    xkeys: Mapping[ScriptKind, tuple[XkeyVersions, ...]]
    script_kinds: tuple[ScriptKind, ...]
    genesis_hash: str
    standard_xkey: XkeyVersions
    dust_relay_sat_vb: int = 3
    min_relay_sat_vb: int = 1
    fallback_fee_sat_vb: int = 2
    explorer: str | None = None
    block_seconds: int = 600
    electrum_servers: tuple[ElectrumServer, ...] = ()
    is_testnet: bool = False
    family: Family = field(default=Family.UTXO, init=False)

    @property
    def default_kind(self) -> ScriptKind:
        """Return the script kind a new account gets when none is asked for."""
        return self.script_kinds[0]

    @property
    def segwit(self) -> bool:
        """Return whether the network has segregated witness (a bech32 prefix)."""
        return self.hrp is not None


@dataclass(frozen=True, slots=True)
class EvmNetwork:
    """Facts about one EVM network.

    Attributes:
        name: the registry key, for example ``"ethereum"``.
        title: the human name.
        symbol: the ticker of the native coin.
        chain_id: the EIP-155 chain id, checked against every node on connect.
        decimals: digits of the native coin (18).
        eip1559: whether the chain prices gas with EIP-1559 fee fields.
        rpc_urls: default JSON-RPC endpoints, tried in order.
        explorer: the base URL of the block explorer.
        explorer_api: the Etherscan-compatible API endpoint, if any.
        multicall3: the Multicall3 contract address where deployed.
        is_testnet: whether coins on this network have no value.
        coin_type: the SLIP-44 coin type (60 for every EVM chain: one key, every chain).
        l1_fee: an OP Stack chain: transactions also pay an L1 data fee, read from its
            GasPriceOracle predeploy (``chains.evm.l1fee``).
    """

    name: str
    title: str
    symbol: str
    chain_id: int
    decimals: int = 18
    eip1559: bool = True
    rpc_urls: tuple[str, ...] = ()
    explorer: str | None = None
    explorer_api: str | None = None
    multicall3: str | None = None
    is_testnet: bool = False
    coin_type: int = 60
    l1_fee: bool = False
    family: Family = field(default=Family.EVM, init=False)


Network = UtxoNetwork | EvmNetwork

_MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11"
_ETHERSCAN_V2 = "https://api.etherscan.io/v2/api"

# SLIP-132 extended key versions.
_XPUB = XkeyVersions(0x0488B21E, 0x0488ADE4)
_YPUB = XkeyVersions(0x049D7CB2, 0x049D7878)
_ZPUB = XkeyVersions(0x04B24746, 0x04B2430C)
_TPUB = XkeyVersions(0x043587CF, 0x04358394)
_UPUB = XkeyVersions(0x044A5262, 0x044A4E28)
_VPUB = XkeyVersions(0x045F1CF6, 0x045F18BC)
_LTUB = XkeyVersions(0x019DA462, 0x019D9CFE)
_MTUB = XkeyVersions(0x01B26EF6, 0x01B26792)
_TTUB = XkeyVersions(0x0436F6E1, 0x0436EF7D)
_DGUB = XkeyVersions(0x02FACAFD, 0x02FAC398)
_TGUB = XkeyVersions(0x0432A9A8, 0x0432A243)

_BTC_XKEYS = MappingProxyType(
    {
        ScriptKind.P2WPKH: (_ZPUB, _XPUB),
        ScriptKind.P2TR: (_XPUB,),
        ScriptKind.P2SH_P2WPKH: (_YPUB, _XPUB),
        ScriptKind.P2PKH: (_XPUB,),
    }
)
_TEST_XKEYS = MappingProxyType(
    {
        ScriptKind.P2WPKH: (_VPUB, _TPUB),
        ScriptKind.P2TR: (_TPUB,),
        ScriptKind.P2SH_P2WPKH: (_UPUB, _TPUB),
        ScriptKind.P2PKH: (_TPUB,),
    }
)
_LTC_XKEYS = MappingProxyType(
    {
        ScriptKind.P2WPKH: (_ZPUB, _XPUB, _LTUB),
        ScriptKind.P2TR: (_XPUB, _LTUB),
        ScriptKind.P2SH_P2WPKH: (_MTUB, _YPUB, _XPUB),
        ScriptKind.P2PKH: (_LTUB, _XPUB),
    }
)
_LTC_TEST_XKEYS = MappingProxyType(
    {
        ScriptKind.P2WPKH: (_VPUB, _TPUB, _TTUB),
        ScriptKind.P2TR: (_TPUB, _TTUB),
        ScriptKind.P2SH_P2WPKH: (_UPUB, _TPUB),
        ScriptKind.P2PKH: (_TTUB, _TPUB),
    }
)
_SEGWIT_KINDS = (ScriptKind.P2WPKH, ScriptKind.P2TR, ScriptKind.P2SH_P2WPKH, ScriptKind.P2PKH)


def _utxo(*networks: UtxoNetwork) -> dict[str, Network]:
    return {n.name: n for n in networks}


def _evm(*networks: EvmNetwork) -> dict[str, Network]:
    return {n.name: n for n in networks}


NETWORKS: Mapping[str, Network] = MappingProxyType(
    _utxo(
        UtxoNetwork(
            name="bitcoin",
            title="Bitcoin",
            symbol="BTC",
            coin_type=0,
            decimals=8,
            hrp="bc",
            p2pkh_version=0x00,
            p2sh_versions=(0x05,),
            wif_version=0x80,
            xkeys=_BTC_XKEYS,
            script_kinds=_SEGWIT_KINDS,
            genesis_hash="000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
            standard_xkey=_XPUB,
            explorer="https://mempool.space",
            electrum_servers=(
                ElectrumServer("electrum.blockstream.info", 50002),
                ElectrumServer("electrum.emzy.de", 50002),
                ElectrumServer("bitcoin.lu.ke", 50002),
            ),
        ),
        UtxoNetwork(
            name="bitcoin-testnet",
            title="Bitcoin testnet",
            symbol="tBTC",
            coin_type=1,
            decimals=8,
            hrp="tb",
            p2pkh_version=0x6F,
            p2sh_versions=(0xC4,),
            wif_version=0xEF,
            xkeys=_TEST_XKEYS,
            script_kinds=_SEGWIT_KINDS,
            genesis_hash="000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
            standard_xkey=_TPUB,
            explorer="https://mempool.space/testnet",
            electrum_servers=(ElectrumServer("electrum.blockstream.info", 60002),),
            is_testnet=True,
        ),
        UtxoNetwork(
            name="bitcoin-signet",
            title="Bitcoin signet",
            symbol="sBTC",
            coin_type=1,
            decimals=8,
            hrp="tb",
            p2pkh_version=0x6F,
            p2sh_versions=(0xC4,),
            wif_version=0xEF,
            xkeys=_TEST_XKEYS,
            script_kinds=_SEGWIT_KINDS,
            genesis_hash="00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
            standard_xkey=_TPUB,
            explorer="https://mempool.space/signet",
            electrum_servers=(ElectrumServer("signet-electrumx.wakiyamap.dev", 50002),),
            is_testnet=True,
        ),
        UtxoNetwork(
            name="bitcoin-regtest",
            title="Bitcoin regtest",
            symbol="rBTC",
            coin_type=1,
            decimals=8,
            hrp="bcrt",
            p2pkh_version=0x6F,
            p2sh_versions=(0xC4,),
            wif_version=0xEF,
            xkeys=_TEST_XKEYS,
            script_kinds=_SEGWIT_KINDS,
            genesis_hash="0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
            standard_xkey=_TPUB,
            fallback_fee_sat_vb=2,
            is_testnet=True,
        ),
        UtxoNetwork(
            name="litecoin",
            block_seconds=150,
            title="Litecoin",
            symbol="LTC",
            coin_type=2,
            decimals=8,
            hrp="ltc",
            p2pkh_version=0x30,
            p2sh_versions=(0x32, 0x05),
            wif_version=0xB0,
            xkeys=_LTC_XKEYS,
            script_kinds=_SEGWIT_KINDS,
            genesis_hash="12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2",
            standard_xkey=_XPUB,
            # Litecoin Core relays dust at 0.0003 LTC/kB: 30 litoshi/vB (2,940 for p2wpkh).
            dust_relay_sat_vb=30,
            explorer="https://litecoinspace.org",
            electrum_servers=(
                ElectrumServer("electrum-ltc.bysh.me", 50002),
                ElectrumServer("backup.electrum-ltc.org", 443),
            ),
        ),
        UtxoNetwork(
            name="litecoin-testnet",
            block_seconds=150,
            title="Litecoin testnet",
            symbol="tLTC",
            coin_type=1,
            decimals=8,
            hrp="tltc",
            p2pkh_version=0x6F,
            p2sh_versions=(0x3A, 0xC4),
            wif_version=0xEF,
            xkeys=_LTC_TEST_XKEYS,
            script_kinds=_SEGWIT_KINDS,
            genesis_hash="4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0",
            standard_xkey=_TPUB,
            # Litecoin Core relays dust at 0.0003 LTC/kB: 30 litoshi/vB (2,940 for p2wpkh).
            dust_relay_sat_vb=30,
            explorer="https://litecoinspace.org/testnet",
            electrum_servers=(ElectrumServer("electrum-ltc.bysh.me", 51002),),
            is_testnet=True,
        ),
        UtxoNetwork(
            name="litecoin-regtest",
            block_seconds=150,
            title="Litecoin regtest",
            symbol="rLTC",
            coin_type=1,
            decimals=8,
            hrp="rltc",
            p2pkh_version=0x6F,
            p2sh_versions=(0x3A, 0xC4),
            wif_version=0xEF,
            xkeys=_LTC_TEST_XKEYS,
            script_kinds=_SEGWIT_KINDS,
            genesis_hash="530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9",
            standard_xkey=_TPUB,
            dust_relay_sat_vb=30,
            fallback_fee_sat_vb=2,
            is_testnet=True,
        ),
        UtxoNetwork(
            name="dogecoin",
            block_seconds=60,
            title="Dogecoin",
            symbol="DOGE",
            coin_type=3,
            decimals=8,
            hrp=None,
            p2pkh_version=0x1E,
            p2sh_versions=(0x16,),
            wif_version=0x9E,
            xkeys=MappingProxyType({ScriptKind.P2PKH: (_DGUB, _XPUB)}),
            script_kinds=(ScriptKind.P2PKH,),
            genesis_hash="1a91e3dace36e2be3bf030a65679fe821aa1d6ef92e7c9902eb318182c355691",
            standard_xkey=_DGUB,
            # Dogecoin Core 1.14.6 relays at 0.001 DOGE/kB (100 sat/vB), dust is 0.01 DOGE.
            dust_relay_sat_vb=1000,
            min_relay_sat_vb=100,
            fallback_fee_sat_vb=1000,
            explorer="https://dogechain.info",
            electrum_servers=(ElectrumServer("electrum.qortal.link", 54002),),
        ),
        UtxoNetwork(
            name="dogecoin-testnet",
            block_seconds=60,
            title="Dogecoin testnet",
            symbol="tDOGE",
            coin_type=1,
            decimals=8,
            hrp=None,
            p2pkh_version=0x71,
            p2sh_versions=(0xC4,),
            wif_version=0xF1,
            xkeys=MappingProxyType({ScriptKind.P2PKH: (_TGUB, _TPUB)}),
            script_kinds=(ScriptKind.P2PKH,),
            genesis_hash="bb0a78264637406b6360aad926284d544d7049f45189db5664f3c4d07350559e",
            standard_xkey=_TPUB,
            dust_relay_sat_vb=1000,
            min_relay_sat_vb=100,
            fallback_fee_sat_vb=1000,
            is_testnet=True,
        ),
    )
    | _evm(
        EvmNetwork(
            name="ethereum",
            title="Ethereum",
            symbol="ETH",
            chain_id=1,
            rpc_urls=("https://ethereum-rpc.publicnode.com", "https://eth.llamarpc.com"),
            explorer="https://etherscan.io",
            explorer_api=_ETHERSCAN_V2,
            multicall3=_MULTICALL3,
        ),
        EvmNetwork(
            name="sepolia",
            title="Sepolia",
            symbol="SepoliaETH",
            chain_id=11155111,
            rpc_urls=("https://ethereum-sepolia-rpc.publicnode.com",),
            explorer="https://sepolia.etherscan.io",
            explorer_api=_ETHERSCAN_V2,
            multicall3=_MULTICALL3,
            is_testnet=True,
        ),
        EvmNetwork(
            name="polygon",
            title="Polygon",
            symbol="POL",
            chain_id=137,
            rpc_urls=("https://polygon-bor-rpc.publicnode.com", "https://polygon-rpc.com"),
            explorer="https://polygonscan.com",
            explorer_api=_ETHERSCAN_V2,
            multicall3=_MULTICALL3,
        ),
        EvmNetwork(
            name="arbitrum",
            title="Arbitrum One",
            symbol="ETH",
            chain_id=42161,
            rpc_urls=("https://arbitrum-one-rpc.publicnode.com", "https://arb1.arbitrum.io/rpc"),
            explorer="https://arbiscan.io",
            explorer_api=_ETHERSCAN_V2,
            multicall3=_MULTICALL3,
        ),
        EvmNetwork(
            name="optimism",
            title="OP Mainnet",
            symbol="ETH",
            chain_id=10,
            rpc_urls=("https://optimism-rpc.publicnode.com", "https://mainnet.optimism.io"),
            explorer="https://optimistic.etherscan.io",
            explorer_api=_ETHERSCAN_V2,
            multicall3=_MULTICALL3,
            l1_fee=True,
        ),
        EvmNetwork(
            name="base",
            title="Base",
            symbol="ETH",
            chain_id=8453,
            rpc_urls=("https://base-rpc.publicnode.com", "https://mainnet.base.org"),
            explorer="https://basescan.org",
            explorer_api=_ETHERSCAN_V2,
            multicall3=_MULTICALL3,
            l1_fee=True,
        ),
        EvmNetwork(
            name="bsc",
            title="BNB Smart Chain",
            symbol="BNB",
            chain_id=56,
            eip1559=False,
            rpc_urls=("https://bsc-rpc.publicnode.com", "https://bsc-dataseed.bnbchain.org"),
            explorer="https://bscscan.com",
            explorer_api=_ETHERSCAN_V2,
            multicall3=_MULTICALL3,
        ),
        EvmNetwork(
            name="avalanche",
            title="Avalanche C-Chain",
            symbol="AVAX",
            chain_id=43114,
            rpc_urls=(
                "https://avalanche-c-chain-rpc.publicnode.com",
                "https://api.avax.network/ext/bc/C/rpc",
            ),
            explorer="https://snowtrace.io",
            explorer_api=_ETHERSCAN_V2,
            multicall3=_MULTICALL3,
        ),
        EvmNetwork(
            name="evm-local",
            title="Local EVM node (anvil)",
            symbol="ETH",
            chain_id=31337,
            rpc_urls=("http://127.0.0.1:8545",),
            is_testnet=True,
        ),
        EvmNetwork(
            name="evm-embedded",
            title="Embedded EVM devnet",
            symbol="ETH",
            chain_id=131277322940537,
            is_testnet=True,
        ),
    )
)


TICKERS: Mapping[str, str] = MappingProxyType(
    {
        "btc": "bitcoin",
        "tbtc": "bitcoin-testnet",
        "ltc": "litecoin",
        "tltc": "litecoin-testnet",
        "doge": "dogecoin",
        "eth": "ethereum",
    }
)
"""The usual tickers people type for a network, mapped to its registry name."""


def get_network(name: str) -> Network:
    """Return the network registered under ``name``, in any case, or under its usual ticker.

    Args:
        name: a registry key such as ``"bitcoin"`` or ``"evm-local"`` (``"Bitcoin"`` and
            ``"BTC"`` name the same network), or a ticker of ``TICKERS``.

    Returns:
        The network's facts.

    Raises:
        UnknownNetwork: no network of that name is registered (the error lists the names).
    """
    key = name.strip().lower()
    network = NETWORKS.get(TICKERS.get(key, key))
    if network is None:
        raise UnknownNetwork(name, tuple(NETWORKS))
    return network


def all_networks() -> tuple[Network, ...]:
    """Return every registered network in registry order."""
    return tuple(NETWORKS.values())
