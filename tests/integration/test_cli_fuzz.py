"""A bounded, seeded fuzz of the ``coffer`` command line (issue 14 item 11).

Every command and every parameter is read from the ``cli`` group itself, so a new command or
option is fuzzed without editing this file. Each run is a real ``coffer`` process on a copy of
one small wallet whose servers all point at a closed loopback port (nothing reaches the
internet). Each run must:

- end within the timeout, with an exit code the help documents (0-5);
- print no traceback;
- when it fails, print exactly one ``error:`` line on stderr (prompts aside), or with
  ``--json`` an ``{"error": ...}`` object on stdout;
- when it fails, leave the wallet file's bytes as they were.

The values are chosen by a seeded generator from a fixed list of hostile inputs, a few per
parameter, plus the exact inputs the issue lists; the seed is printed on failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from chains.registry import EvmNetwork, all_networks
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli

REPO = Path(__file__).resolve().parents[2]
SEED = 20261207
PER_PARAM = 2  # hostile values per parameter, drawn with SEED
TIMEOUT_S = 30  # a hang, not a slow machine: a run takes a second or two
DOCUMENTED_EXITS = frozenset({0, 1, 2, 3, 4, 5, 6})

BTC_ADDRESS = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
ETH_ADDRESS = "0x" + "11" * 20

# NUL cannot be passed in argv or the environment: it is left out.
HOSTILE: tuple[str, ...] = (
    "",
    " ",
    "-",
    "--",
    "-1",
    "0",
    "2147483648",
    "4294967296",
    "9" * 400,
    "1e999999999",
    "1e5000",
    "NaN",
    "inf",
    "-inf",
    "0.1e1",
    "1_000",
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "\u00b2",  # SUPERSCRIPT TWO
    "0xabc:\u00b2",
    "ssl://[::1",
    "../../etc/passwd",
    "a" * 5000,
    "\udcff",  # an undecodable byte of argv (0xff), as Python keeps it
    "bit\udcffcoin",
    "\u202etxt.exe",  # RIGHT-TO-LEFT OVERRIDE
    "--json",
    "--help",
    "-h",
    "BITCOIN",
    "\U0001f642",
    "line\nbreak",
)

# What each parameter gets when another one is fuzzed (by parameter name).
BASE_VALUES: dict[str, str] = {
    "network": "bitcoin",
    "txid": "00" * 32,
    "tx_hash": "0x" + "00" * 32,
    "address_text": BTC_ADDRESS,
    "to": BTC_ADDRESS,
    "amounts": "0.001",
    "key": "ABC123KEY",
    "file": "labels.jsonl",
    "address": "0x" + "22" * 20,
    "amount": "0.001",
    "link": f"bitcoin:{BTC_ADDRESS}?amount=0.001",
    "request_id": "1",
    # coffer policy / multisig / recovery
    "policy_text": "wsh(pk(" + "02" + "11" * 32 + "))",
    "threshold": "2",
    "cosigners": "[d34db33f/48h/0h/0h/2h]xpub-not-really",
    "heir": "[d34db33f/48h/0h/0h/2h]xpub-not-really",
    "after_blocks": "144",
}
EVM_COMMANDS = {"tokens list", "tokens add", "tokens remove", "nfts", "explorer-key"}
SKIPPED = {"demo": "runs the embedded devnets end to end; it takes no parameters"}

ENV_TARGETS: dict[str, tuple[str, ...]] = {
    "COFFER_PASSWORD": ("accounts",),
    "COFFER_NEW_PASSWORD": ("change-password",),
    "COFFER_PASSPHRASE": ("restore", "--passphrase"),
    "COFFER_WALLET": ("accounts",),
}

# The inputs issue 14 names, run as they are.
NAMED_CASES: tuple[tuple[str, ...], ...] = (
    ("address", "bitcoin", "--index", "-1"),
    ("address", "bitcoin", "--index", "2147483648"),
    ("address", "bitcoin", "--index", "4294967296"),
    ("send", "bitcoin", "--to", BTC_ADDRESS, "--amount", "1e999999999"),
    ("send", "bitcoin", "--to", BTC_ADDRESS, "--amount", "1e5000"),
    ("send", "bitcoin", "--to", BTC_ADDRESS, "--amount", "0.1", "--fee-rate", "1e999999999"),
    ("send", "ethereum", "--to", ETH_ADDRESS, "--nft", "0xabc:\u00b2"),
    ("servers", "bitcoin", "--set", "ssl://[::1"),
    ("sync", "notanetwork"),
    ("sync", "\udcff"),
    # policy accounts: a bad checksum, an insane policy, N out of range, a path by name
    ("policy", "create", "bitcoin", "wpkh(02" + "11" * 32 + ")#deadbeef"),
    ("policy", "create", "bitcoin", "wsh(or_b(pk(02" + "11" * 32 + "),older(10)))"),
    ("recovery", "create", "bitcoin", "--heir", "x", "--after", "0"),
    ("recovery", "create", "bitcoin", "--heir", "x", "--after", "65536"),
    ("send", "bitcoin", "--to", BTC_ADDRESS, "--amount", "0.1", "--path", "recovery"),
)


# Paths made in each run's folder before it starts, for path parameters and --wallet.
PATH_HOSTILE: tuple[str, ...] = (
    "loop",  # a symbolic link to itself
    "reg/w.coffer",  # under a regular file
    "adir",  # a directory
    "fifo",  # a named pipe nobody writes to
    "b" * 300,  # longer than NAME_MAX
    "/proc/self/w.coffer",  # where nothing can be created
    "missing/deeper/w.coffer",  # a mistyped folder
    "-",
)
WALLET_COMMANDS = ("accounts", "create-watch-only")


@dataclass(frozen=True)
class Run:
    """One ``coffer`` invocation."""

    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict, hash=False)
    stdin: str = ""

    @property
    def label(self) -> str:
        shown = " ".join(a if len(a) < 40 else a[:20] + f"...({len(a)})" for a in self.args)
        env = " ".join(f"{k}={v[:20]!r}" for k, v in self.env.items())
        return ascii(f"{env} coffer {shown}".strip())


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _leaves(command, (*prefix, name))
        else:
            yield (*prefix, name)


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _fuzzable(command: click.Command) -> list[click.Parameter]:
    return [
        p
        for p in command.params
        if not (isinstance(p, click.Option) and (p.is_flag or p.hidden or p.name == "help"))
    ]


def _base(path: tuple[str, ...], command: click.Command, skip: str | None) -> list[str]:
    evm = " ".join(path) in EVM_COMMANDS
    args: list[str] = list(path)
    for param in command.params:
        if param.name == skip or not param.required or param.name is None:
            continue
        value = BASE_VALUES.get(param.name, "x")
        if param.name == "network" and evm:
            value = "ethereum"
        if isinstance(param, click.Argument):
            args.append(value)
        else:
            args.extend([param.opts[0], value])
    return args


def _with_value(
    path: tuple[str, ...], command: click.Command, param: click.Parameter, value: str
) -> tuple[str, ...]:
    args = _base(path, command, param.name)
    if isinstance(param, click.Argument):
        # Arguments go in order: insert the fuzzed one where it belongs.
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        position = len(path) + sum(1 for p in arguments[: arguments.index(param)] if p.required)
        args.insert(position, value)
    else:
        assert isinstance(param, click.Option)
        args.extend([param.opts[0], value])
    return tuple(args)


def _runs() -> list[Run]:
    rng = random.Random(SEED)
    runs: list[Run] = [Run(args) for args in NAMED_CASES]
    runs += [Run(("--json", *args)) for args in NAMED_CASES]
    for path in _leaves(cli):
        if " ".join(path) in SKIPPED:
            continue
        command = _command(path)
        runs.append(Run(tuple(_base(path, command, None))))
        for param in _fuzzable(command):
            values = rng.sample(HOSTILE, PER_PARAM)
            if isinstance(param.type, click.Path):
                values += PATH_HOSTILE
            for value in values:
                runs.append(Run(_with_value(path, command, param, value)))
    for value in PATH_HOSTILE:
        for name in WALLET_COMMANDS:
            runs.append(Run(("--wallet", value, name)))
    for variable, args in ENV_TARGETS.items():
        for value in [*rng.sample(HOSTILE, PER_PARAM), "\udcff"]:
            if value == "":
                continue  # empty means "not set": the prompt then meets end of input
            stdin = ABANDON + "\n" if args[0] == "restore" else ""
            runs.append(Run(args, {variable: value}, stdin))
    return runs


RUNS = _runs()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wallet with a Bitcoin and an Ethereum account, every server on a closed port."""
    path = tmp_path_factory.mktemp("fuzz-wallet") / "w.coffer"
    port = _closed_port()
    with Wallet.restore(path, PASSWORD, ABANDON) as wallet:
        wallet.account("bitcoin")
        wallet.account("ethereum")
        for net in all_networks():
            if isinstance(net, EvmNetwork):
                wallet.backends.set_servers(net.name, [f"http://127.0.0.1:{port}"])
                wallet.settings.set_explorer_url(net.name, f"http://127.0.0.1:{port}/api")
            else:
                wallet.backends.set_servers(net.name, [f"tcp://127.0.0.1:{port}"])
        for provider in ("coingecko", "cryptocompare", "ecb"):
            wallet.settings.set_price_provider_url(provider, f"http://127.0.0.1:{port}")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@dataclass(frozen=True)
class Outcome:
    run: Run
    code: int | None
    stdout: str
    stderr: str
    wallet_changed: bool


def _execute(run: Run, pristine: Path, workdir: Path) -> Outcome:
    workdir.mkdir(parents=True)
    cwd = workdir / "a" / "b"  # "../../x" stays inside the run's own folder
    cwd.mkdir(parents=True)
    wallet = cwd / "w.coffer"
    shutil.copyfile(pristine, wallet)
    (cwd / "labels.jsonl").write_text("", encoding="utf-8")
    (cwd / "loop").symlink_to("loop")
    (cwd / "reg").write_text("a file", encoding="utf-8")
    (cwd / "adir").mkdir()
    os.mkfifo(cwd / "fifo")
    before = _digest(wallet)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COFFER_") and k != "PYTHONPATH"}
    env |= {"PYTHONPATH": str(REPO), "COFFER_PASSWORD": PASSWORD, "COFFER_WALLET": str(wallet)}
    env |= {"HOME": str(workdir), "XDG_DATA_HOME": str(workdir / "data"), "COLUMNS": "200"}
    env |= run.env
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from wallet.cli import main; main()", *run.args],
            cwd=cwd,
            env=env,
            input=run.stdin.encode(),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        return Outcome(run, None, "", str(err), False)
    return Outcome(
        run,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
        _digest(wallet) != before,
    )


_PROMPT_NOISE = ("Warning: Password input may be echoed.", "GetPassWarning", "passwd = ")


def _problems(outcome: Outcome) -> list[str]:
    if outcome.code is None:
        return ["did not end within the timeout"]
    problems = []
    if outcome.code not in DOCUMENTED_EXITS:
        problems.append(f"exit code {outcome.code}")
    if "Traceback" in outcome.stderr:
        problems.append("a traceback")
    if outcome.code != 0:
        lines = [
            line
            for line in outcome.stderr.splitlines()
            if line.strip() and not any(noise in line for noise in _PROMPT_NOISE)
        ]
        errors = [line for line in lines if line.startswith("error: ")]
        if outcome.run.args[:1] == ("--json",) and not errors:
            # With --json a refusal of the API is an {"error": ...} object on stdout instead.
            try:
                shown = json.loads(outcome.stdout)
            except ValueError:
                shown = None
            if not (isinstance(shown, dict) and set(shown) == {"error"}):
                problems.append(f"no error line and no JSON error: {outcome.stdout[-200:]!r}")
        elif len(errors) != 1 or not lines[-1].startswith("error: "):
            problems.append(f"not one error line on stderr: {lines[-3:]!r}")
        if outcome.wallet_changed:
            problems.append("the wallet file changed although the command failed")
    return problems


def test_the_fuzz_covers_every_command_and_parameter() -> None:
    covered = {run.args[0] for run in RUNS}
    assert set(cli.commands) - covered == set(SKIPPED)
    # Bounded: a few hundred processes, about 0.5 s a run on two workers (each new command
    # adds its runs).
    assert 100 <= len(RUNS) <= 1000, len(RUNS)


# A bounded run (a few hundred processes): about 140 s alone on the project's 2-core machine;
# the limit leaves room for a machine shared with other work, where each run still gets its own
# per-process timeout (a hang fails that run, not the whole test).
@pytest.mark.timeout(2400)
def test_cli_fuzz(pristine: Path, tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(
                lambda item: _execute(item[1], pristine, tmp_path / str(item[0])),
                enumerate(RUNS),
            )
        )
    report = []
    for outcome in outcomes:
        problems = _problems(outcome)
        if not problems:
            continue
        line = f"{outcome.run.label}: {', '.join(problems)} (exit {outcome.code}; stderr "
        line += f"{outcome.stderr[-300:]!r})"
        report.append(line)
    assert not report, f"seed {SEED}, {len(report)} of {len(RUNS)} runs:\n" + "\n".join(report)


def test_help_documents_the_exit_codes() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from wallet.cli import main; main()", "--help"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for code in sorted(DOCUMENTED_EXITS | {130}):
        assert f"{code} " in text, code
