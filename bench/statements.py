"""Benchmark: statement imports against plain parses of the same files, in one run.

Generates a 100,000-line CSV statement, a 10,000-transaction OFX statement and a
10,000-line MT940 statement in a temporary folder, then measures, each with its peak memory
(``tracemalloc``, in a separate pass so that tracing does not skew the times):

* **CSV**: Coffer's parser (``read_statement``: every date and amount checked, line numbers
  kept) against the ``csv`` module's plain parse (rows as lists of strings, nothing checked);
* **OFX**: Coffer's parser (ofxtools' markup parser plus Coffer's field checks naming line and
  field) against ofxtools' plain parse (``OFXTree.parse`` and ``convert``);
* **MT940**: Coffer's own parser against the ``mt-940`` library (why Coffer has its own: it
  names the line and field of an error; this shows what that costs);
* **imports**: the whole ``Wallet.fiat.import_statement`` of the CSV and the OFX into a fresh
  wallet (parse, match, one transaction into SQLCipher), and re-importing the OFX (every line
  matched, nothing added).

Prints seconds, peak MiB and the ratio Coffer / peer for each. Run:
``.venv/bin/python bench/statements.py`` (``--csv-lines`` and ``--ofx-lines`` to scale).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mt940
from ofxtools.Parser import OFXTree

from wallet import Wallet
from wallet.money.fiat import StatementFormat, read_statement

PASSWORD = "bench password, not a secret"  # noqa: S105
PAYEES = ("Supermarket", "Landlord", "Employer GmbH", "Cafe", "Fuel station", "Bookshop")


def _days(count: int, rng: random.Random) -> list[dt.date]:
    start = dt.date(2016, 1, 1)
    return sorted(start + dt.timedelta(days=rng.randrange(3650)) for _ in range(count))


def _text(cents: int) -> str:
    """``-1234`` as ``"-12.34"``: amounts are written from integers, never through a float."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def make_csv(lines: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "amount", "payee", "memo", "reference"])
    for i, day in enumerate(_days(lines, rng)):
        cents = rng.randrange(-200_000, 300_000)
        writer.writerow(
            [day.isoformat(), _text(cents), rng.choice(PAYEES), f"Payment {i}", f"R{i}"]
        )
    return out.getvalue().encode()


def make_ofx(lines: int, rng: random.Random) -> bytes:
    head = (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
        "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
        "<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n"
        "<DTSERVER>20260101\n<LANGUAGE>ENG\n</SONRS>\n</SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n"
        "<STMTTRNRS>\n<TRNUID>1\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n<STMTRS>\n"
        "<CURDEF>EUR\n<BANKACCTFROM>\n<BANKID>BENCH\n<ACCTID>123456\n<ACCTTYPE>CHECKING\n"
        "</BANKACCTFROM>\n<BANKTRANLIST>\n<DTSTART>20160101\n<DTEND>20251231\n"
    )
    parts = [head]
    for i, day in enumerate(_days(lines, rng)):
        cents = rng.randrange(-200_000, 300_000)
        parts.append(
            f"<STMTTRN>\n<TRNTYPE>{'CREDIT' if cents > 0 else 'DEBIT'}\n"
            f"<DTPOSTED>{day:%Y%m%d}\n<TRNAMT>{_text(cents)}\n<FITID>F{i}\n"
            f"<NAME>{rng.choice(PAYEES)}\n<MEMO>Payment {i}\n</STMTTRN>\n"
        )
    parts.append(
        "</BANKTRANLIST>\n<LEDGERBAL>\n<BALAMT>0.00\n<DTASOF>20251231\n</LEDGERBAL>\n"
        "</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n"
    )
    return "".join(parts).encode("ascii")


def make_mt940(lines: int, rng: random.Random) -> bytes:
    parts = [":20:BENCH\n:25:37040044/0532013000\n:28C:00001/001\n:60F:C160101EUR0,00\n"]
    for i, day in enumerate(_days(lines, rng)):
        cents = rng.randrange(-200_000, 300_000)
        mark = "C" if cents >= 0 else "D"
        amount = f"{abs(cents) // 100},{abs(cents) % 100:02d}"
        parts.append(
            f":61:{day:%y%m%d}{day:%m%d}{mark}{amount}NTRFREF{i}\n"
            f":86:166?00GUTSCHRIFT?20Payment {i}?32{rng.choice(PAYEES)}\n"
        )
    parts.append(":62F:C251231EUR0,00\n-\n")
    return "".join(parts).encode("latin-1")


def measure(run: Callable[[], object]) -> tuple[float, float]:
    """Return (seconds, peak MiB) of ``run``: timed untraced, then traced for memory."""
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20


def line(name: str, ours: tuple[float, float], peer: tuple[float, float] | None) -> None:
    text = f"{name:44} {ours[0]:8.3f} s {ours[1]:8.1f} MiB"
    if peer is not None:
        text += (
            f"   peer {peer[0]:8.3f} s {peer[1]:8.1f} MiB   ratio time {ours[0] / peer[0]:5.2f}x"
            f" memory {ours[1] / max(peer[1], 1e-9):5.2f}x"
        )
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-lines", type=int, default=100_000)
    parser.add_argument("--ofx-lines", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    csv_data = make_csv(args.csv_lines, rng)
    ofx_data = make_ofx(args.ofx_lines, rng)
    mt_data = make_mt940(args.ofx_lines, rng)
    print(
        f"CSV {args.csv_lines:,} lines ({len(csv_data) / 2**20:.1f} MiB), OFX "
        f"{args.ofx_lines:,} transactions ({len(ofx_data) / 2**20:.1f} MiB), MT940 "
        f"{args.ofx_lines:,} lines ({len(mt_data) / 2**20:.1f} MiB)"
    )

    def plain_csv() -> object:
        return list(csv.reader(io.StringIO(csv_data.decode())))

    def plain_ofx() -> object:
        tree = OFXTree()
        tree.parse(io.BytesIO(ofx_data))
        return tree.convert()

    def plain_mt940() -> object:
        transactions = mt940.models.Transactions()
        transactions.parse(mt_data.decode("latin-1"))
        return transactions

    peer_csv, peer_ofx = measure(plain_csv), measure(plain_ofx)
    ours_csv = measure(
        lambda: read_statement(csv_data, "b.csv", StatementFormat.CSV, currency="EUR")
    )
    line("CSV parse: Coffer vs csv module", ours_csv, peer_csv)
    ours_ofx = measure(lambda: read_statement(ofx_data, "b.ofx", StatementFormat.OFX))
    line("OFX parse: Coffer vs ofxtools parse+convert", ours_ofx, peer_ofx)
    ours_mt = measure(lambda: read_statement(mt_data, "b.sta", StatementFormat.MT940))
    line("MT940 parse: Coffer vs mt-940 library", ours_mt, measure(plain_mt940))

    with tempfile.TemporaryDirectory(prefix="coffer-bench-") as tmp:
        for label, data, name, peer in (
            ("CSV import into a wallet", csv_data, "b.csv", peer_csv),
            ("OFX import into a wallet", ofx_data, "b.ofx", peer_ofx),
        ):
            timings: list[tuple[float, float]] = []
            for attempt in ("timed", "traced"):
                path = Path(tmp) / f"{name}-{attempt}.coffer"
                with Wallet.create_watch_only(path, PASSWORD) as wallet:
                    wallet.fiat.add_account("Bench", "EUR")
                    if attempt == "timed":
                        start = time.perf_counter()
                        report = wallet.fiat.import_statement("Bench", data, source=name)
                        timings.append((time.perf_counter() - start, 0.0))
                        assert len(report.added) > 0
                        again_start = time.perf_counter()
                        again = wallet.fiat.import_statement("Bench", data, source=name)
                        again_s = time.perf_counter() - again_start
                        assert again.added == ()
                    else:
                        for _ in ("import", "re-import"):
                            tracemalloc.start()
                            wallet.fiat.import_statement("Bench", data, source=name)
                            _, peak = tracemalloc.get_traced_memory()
                            tracemalloc.stop()
                            timings.append((0.0, peak / 2**20))
            line(f"{label} vs plain parse", (timings[0][0], timings[1][1]), peer)
            line(f"{label[:3]} re-import, every line matched", (again_s, timings[2][1]), None)


if __name__ == "__main__":
    main()
