"""The embedded devnet's files: sealed, owner-only whatever the umask, and crash-safe.

Issue 14, item 7: the devnet holds the user's addresses, so its folder must be readable by
its owner alone and hold nothing in plaintext, and a ``kill -9`` must lose at most the block
being written (it used to lose the whole chain: the kernel flushed only on close).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pbk
import pytest

from chains.addresses import parse_address
from chains.devnet_storage import CHAIN_FILE, LOCK_FILE, MEMPOOL_FILE
from chains.errors import BackendUnavailable
from chains.registry import UtxoNetwork, get_network
from chains.utxo.devnet import BitcoinDevnet
from chains.utxo.devnet.chain import SCRATCH_DIR
from chains.utxo.errors import DevnetStorageError
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet

ROOT = Path(__file__).resolve().parents[2]
KEY = b"the owner's devnet storage key.."
SCRIPT = bytes.fromhex("0014") + bytes(range(100, 120))  # a P2WPKH script of "the wallet"


def _regtest() -> UtxoNetwork:
    network = get_network("bitcoin-regtest")
    assert isinstance(network, UtxoNetwork)
    return network


def _files(folder: Path) -> Iterator[Path]:
    return (p for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_devnet_kept_on_disk_needs_a_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="storage key"):
        BitcoinDevnet(_regtest(), tmp_path / "chain")
    with pytest.raises(ValueError, match="16 bytes"):
        BitcoinDevnet(_regtest(), tmp_path / "chain", storage_key=b"short")


@pytest.mark.usefixtures("umask_000")
def test_files_and_folder_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        chain.mine(101)
        chain.fund(SCRIPT, 50_000)
    assert folder.stat().st_mode & 0o777 == 0o700
    names = {p.name for p in _files(folder)}
    assert {CHAIN_FILE, MEMPOOL_FILE} <= names
    for path in _files(folder):
        assert path.stat().st_mode & 0o777 == 0o600, path.name
    for path in folder.rglob("*"):
        if path.is_dir():
            assert path.stat().st_mode & 0o777 == 0o700, path.name


def test_an_existing_open_folder_is_closed_to_others(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        chain.mine(1)
    folder.chmod(0o755)
    (folder / CHAIN_FILE).chmod(0o644)
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        assert chain.tip().height == 1
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / CHAIN_FILE).stat().st_mode & 0o777 == 0o600


def test_the_folder_holds_no_script_or_transaction_in_plaintext(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        chain.mine(101)
        confirmed = chain.fund(SCRIPT, 70_000)
        chain.mine(1, SCRIPT)  # a coinbase paying the script too
        pending = chain.fund(SCRIPT, 60_000)  # left in the mempool file
        assert chain.mempool() == (pending,)
    # No kernel files either: Core's block files are only XOR-ed with a key kept beside them.
    assert sorted(p.name for p in folder.iterdir()) == sorted([CHAIN_FILE, MEMPOOL_FILE, LOCK_FILE])
    needles = [SCRIPT, SCRIPT[2:], bytes.fromhex(confirmed)[::-1], bytes.fromhex(pending)[::-1]]
    for path in _files(folder):
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, path.name
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:  # and it all comes back
        assert chain.tip().height == 102
        assert chain.mempool() == (pending,)
        assert {u.outpoint.txid_hex for u in chain.utxos(SCRIPT)} >= {confirmed, pending}


def test_another_key_is_refused_and_the_chain_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        chain.mine(3)
    before = (folder / CHAIN_FILE).read_bytes()
    with pytest.raises(DevnetStorageError, match="cannot be opened with this key") as info:
        BitcoinDevnet(_regtest(), folder, storage_key=b"another wallet's key, not ours")
    assert info.value.path == str(folder / CHAIN_FILE)
    assert (folder / CHAIN_FILE).read_bytes() == before
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:  # the folder is free again
        assert chain.tip().height == 3


def test_a_torn_last_record_is_dropped(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        chain.mine(4)
        tip = chain.tip()
    with (folder / CHAIN_FILE).open("ab") as f:
        f.write(b"\xfd\x40\x01" + b"\x00" * 50)  # a record whose write a crash cut short
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        assert chain.tip() == tip
        chain.mine(1)
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        assert chain.tip().height == tip.height + 1


def test_the_folder_is_locked_while_open(tmp_path: Path) -> None:
    folder = tmp_path / "chain"
    with (
        BitcoinDevnet(_regtest(), folder, storage_key=KEY),
        pytest.raises(BackendUnavailable, match="another process"),
    ):
        BitcoinDevnet(_regtest(), folder, storage_key=KEY)
    BitcoinDevnet(_regtest(), folder, storage_key=KEY).close()


_MINER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from chains.utxo.devnet import BitcoinDevnet

    chain = BitcoinDevnet(datadir=Path(sys.argv[1]), storage_key=sys.argv[2].encode())
    while True:
        chain.mine(1)
        print(chain.tip().height, flush=True)
    """
)


def test_kill_9_loses_at_most_the_block_being_written(tmp_path: Path) -> None:
    folder, mined = tmp_path / "chain", 40
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(  # our own interpreter and script
        [sys.executable, "-c", _MINER, str(folder), KEY.decode()],
        stdout=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        height = 0
        while height < mined:
            line = proc.stdout.readline()
            assert line, "the miner died before mining enough blocks"
            height = int(line)
        proc.send_signal(signal.SIGKILL)  # the miner is mining the next block meanwhile
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        assert chain.tip().height >= height  # every block reported mined was kept
        chain.mine(1)  # and the chain goes on from there
        scratch = folder / SCRATCH_DIR  # the kernel's, inside the folder, the killed one's gone
        assert scratch.stat().st_mode & 0o777 == 0o700
    assert not scratch.exists()


def test_a_chain_an_earlier_version_kept_in_plaintext_is_sealed_and_its_files_removed(
    tmp_path: Path,
) -> None:
    with BitcoinDevnet(_regtest()) as source:  # the blocks an earlier devnet would have mined
        source.mine(101)
        source.fund(SCRIPT, 80_000)
        source.mine(1)
        tip = source.tip()
        raws = [source.raw_block(h) for h in range(1, tip.height + 1)]
    folder = tmp_path / "chain"
    old = pbk.load_chainman(folder, pbk.ChainType.REGTEST)  # the old layout: the kernel's own
    for raw in raws:
        old.process_block(pbk.Block(raw))
    old.__exit__(None, None, None)
    (folder / MEMPOOL_FILE).write_bytes(b"\x05plain")
    assert (folder / "blocks").is_dir()
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        assert chain.tip() == tip
    assert sorted(p.name for p in folder.iterdir()) == sorted([CHAIN_FILE, MEMPOOL_FILE, LOCK_FILE])
    for path in _files(folder):
        assert SCRIPT not in path.read_bytes(), path.name
    with BitcoinDevnet(_regtest(), folder, storage_key=KEY) as chain:
        assert chain.tip() == tip


def test_the_wallet_seals_its_devnet_with_a_key_that_outlives_a_password_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.coffer"
    network = _regtest()
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        devnet = wallet.backends.utxo(network)  # the default server: the embedded devnet
        assert isinstance(devnet, BitcoinDevnet)
        script = parse_address(network, wallet.account(network.name).receive_address())
        devnet.mine(1, script.script_pubkey)
        tip = devnet.tip()
        wallet.change_password(PASSWORD, "a new password for this wallet")
    folder = tmp_path / "w.coffer.d" / network.name
    for file in _files(folder):
        assert script.script_pubkey not in file.read_bytes(), file.name
    with Wallet.open(path, "a new password for this wallet") as wallet:
        devnet = wallet.backends.utxo(network)
        assert isinstance(devnet, BitcoinDevnet)
        assert devnet.tip() == tip
