"""BIP-329 labels: the BIP's vectors, invalid lines, Sparrow's files, round trips, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.cli import cli
from wallet.errors import WalletError
from wallet.labels import LABEL_TYPES, InvalidLabels, parse_bip329

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "bip329.json").read_text()
)
VALID = VECTORS["valid"]
INVALID = VECTORS["invalid"]
SPARROW = VECTORS["sparrow"]
TXID = "f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd"


def _records(wallet: Wallet) -> list[tuple[str, str, str, bool | None]]:
    return [(lb.type, lb.ref, lb.label, lb.spendable) for lb in wallet.labels.all()]


# -- the BIP's vectors ---------------------------------------------------------------------


@pytest.mark.parametrize("vector", VALID, ids=[v["record"]["type"] for v in VALID])
def test_bip_vector_lines_parse(vector: dict[str, Any]) -> None:
    parsed = parse_bip329(vector["line"])
    assert parsed.problems == ()
    (record,) = parsed.records
    want = vector["record"]
    assert (record.type, record.ref, record.label, record.origin, record.spendable) == (
        want["type"],
        want["ref"],
        want["label"],
        want["origin"],
        want["spendable"],
    )


def test_bip_fragment_imports_and_exports_the_same_records(abandon_wallet: Wallet) -> None:
    text = "\n".join(v["line"] for v in VALID) + "\n"
    assert abandon_wallet.labels.import_bip329(text) == len(VALID)
    exported = abandon_wallet.labels.export_bip329()
    lines = [json.loads(line) for line in exported.splitlines()]
    assert len(lines) == len(VALID)
    by_key = {(o["type"], o["ref"]): o for o in lines}
    for vector in VALID:
        want = vector["record"]
        got = by_key[(want["type"], want["ref"])]
        assert got["label"] == want["label"]
        assert got.get("origin") == want["origin"]
        assert got.get("spendable") == want["spendable"]
        assert set(got) <= {"type", "ref", "label", "origin", "spendable"}
    # Each line is one compact JSON object, and every line ends in a newline.
    assert exported.endswith("\n")
    assert all(line.startswith('{"type":') for line in exported.splitlines())


@pytest.mark.parametrize("vector", INVALID, ids=[v["id"] for v in INVALID])
def test_invalid_line_is_reported_with_its_number_and_nothing_is_imported(
    abandon_wallet: Wallet, vector: dict[str, Any]
) -> None:
    good = VALID[0]["line"]
    text = "\n".join([good, "", vector["line"], VALID[1]["line"]])
    with pytest.raises(InvalidLabels) as info:
        abandon_wallet.labels.import_bip329(text)
    (problem,) = info.value.problems
    assert problem.line == 3  # the blank line 2 counts
    assert vector["reason"] in problem.reason
    assert "line 3" in str(info.value)
    assert abandon_wallet.labels.all() == []  # not even the valid lines


@pytest.mark.parametrize("vector", INVALID, ids=[v["id"] for v in INVALID])
def test_skip_invalid_imports_the_valid_lines(
    abandon_wallet: Wallet, vector: dict[str, Any]
) -> None:
    text = "\n".join([VALID[0]["line"], vector["line"], VALID[1]["line"]])
    assert abandon_wallet.labels.import_bip329(text, skip_invalid=True) == 2
    assert {lb.ref for lb in abandon_wallet.labels.all()} == {
        VALID[0]["record"]["ref"],
        VALID[1]["record"]["ref"],
    }


def test_types_the_bip_does_not_define_are_ignored(abandon_wallet: Wallet) -> None:
    (ignored,) = VECTORS["ignored"]
    parsed = parse_bip329(ignored["line"] + "\n" + VALID[0]["line"])
    assert parsed.ignored == 1
    assert parsed.problems == ()
    assert abandon_wallet.labels.import_bip329(ignored["line"]) == 0
    assert abandon_wallet.labels.all() == []


def test_many_invalid_lines_are_all_listed(abandon_wallet: Wallet) -> None:
    text = "\n".join(v["line"] for v in INVALID)
    with pytest.raises(InvalidLabels) as info:
        abandon_wallet.labels.import_bip329(text)
    assert [p.line for p in info.value.problems] == list(range(1, len(INVALID) + 1))
    assert f"{len(INVALID)} invalid line(s)" in str(info.value)
    assert "more" in str(info.value)


# -- Sparrow -------------------------------------------------------------------------------


def test_sparrow_file_imports_and_goes_round_trip(abandon_wallet: Wallet, tmp_path: Path) -> None:
    text = "\n".join(SPARROW["lines"]) + "\n"
    assert abandon_wallet.labels.import_bip329(text) == SPARROW["imported"]
    assert [list(r) for r in _records(abandon_wallet)] == SPARROW["labels"]
    exported = abandon_wallet.labels.export_bip329()
    # Every field of the stored records comes back; the addr and input records carry no
    # label and no spendable (only derived fields), so there is nothing to store for them.
    originals = {
        (o["type"], o["ref"]): o
        for o in map(json.loads, SPARROW["lines"])
        if o["type"] in SPARROW["stored"]
    }
    again = {(o["type"], o["ref"]): o for o in map(json.loads, exported.splitlines())}
    assert again == originals
    with Wallet.create(tmp_path / "other.coffer", PASSWORD, ABANDON) as other:
        assert other.labels.import_bip329(exported) == SPARROW["imported"]
        assert _records(other) == _records(abandon_wallet)
        assert other.labels.export_bip329() == exported


def test_omitted_label_keeps_the_stored_one_and_empty_label_clears_it(
    abandon_wallet: Wallet,
) -> None:
    labels = abandon_wallet.labels
    labels.set("tx", TXID, "Rent")
    labels.import_bip329(
        json.dumps({"type": "tx", "ref": TXID, "origin": "wpkh([d34db33f/84h/0h/0h])"})
    )
    assert labels.get("tx", TXID) == "Rent"
    assert labels.all()[0].origin == "wpkh([d34db33f/84h/0h/0h])"
    labels.import_bip329(json.dumps({"type": "tx", "ref": TXID, "label": ""}))
    assert labels.get("tx", TXID) == ""
    assert labels.all() == []


def test_labels_set_through_the_api_export_as_records_the_import_takes(
    abandon_wallet: Wallet,
) -> None:
    labels = abandon_wallet.labels
    labels.set("tx", TXID.upper(), "Rent")  # as some explorers print txids
    labels.set("output", f"{TXID.upper()}:1", "Coin")
    assert labels.get("tx", TXID) == "Rent"  # the history looks labels up in lowercase
    assert labels.get("output", f"{TXID}:1") == "Coin"
    for type_, ref in [("output", "not-an-outpoint"), ("tx", "abc"), ("input", f"{TXID}:x")]:
        with pytest.raises(WalletError, match="ref"):
            labels.set(type_, ref, "x")
    exported = labels.export_bip329()
    with Wallet.create(abandon_wallet.path.with_name("again.coffer"), PASSWORD) as other:
        assert other.labels.import_bip329(exported) == 2
        assert _records(other) == _records(abandon_wallet)


# -- what the wallet knows: frozen coins and origins ---------------------------------------


def test_frozen_coin_is_spendable_false_and_thawing_is_true(abandon_wallet: Wallet) -> None:
    account = abandon_wallet.account("bitcoin")
    assert isinstance(account, UtxoAccount)
    outpoint = f"{TXID}:1"
    account.freeze(outpoint)
    abandon_wallet.labels.set("output", outpoint, "Coinjoin output")
    abandon_wallet.labels.set("output", outpoint, "")  # the label goes, the freeze stays
    (line,) = abandon_wallet.labels.export_bip329().splitlines()
    assert json.loads(line) == {"type": "output", "ref": outpoint, "spendable": False}
    account.freeze(outpoint, frozen=False)
    (line,) = abandon_wallet.labels.export_bip329().splitlines()
    assert json.loads(line)["spendable"] is True


def test_importing_spendable_false_freezes_the_coin(abandon_wallet: Wallet) -> None:
    outpoint = f"{TXID}:1"
    abandon_wallet.labels.import_bip329(
        json.dumps({"type": "output", "ref": outpoint, "label": "x", "spendable": False})
    )
    account = abandon_wallet.account("bitcoin")
    assert isinstance(account, UtxoAccount)
    assert outpoint in account.view().frozen()
    abandon_wallet.labels.import_bip329(
        json.dumps({"type": "output", "ref": outpoint, "spendable": True})
    )
    assert outpoint not in account.view().frozen()
    assert abandon_wallet.labels.get("output", outpoint) == "x"  # spendable alone kept the label


@pytest.mark.parametrize(
    ("network", "kind", "origin"),
    [
        ("bitcoin", "p2wpkh", "wpkh([73c5da0a/84h/0h/0h])"),
        ("bitcoin", "p2tr", "tr([73c5da0a/86h/0h/0h])"),
        ("bitcoin", "p2sh-p2wpkh", "sh(wpkh([73c5da0a/49h/0h/0h]))"),
        ("litecoin", "p2pkh", "pkh([73c5da0a/44h/2h/0h])"),
    ],
)
def test_export_gives_an_address_the_origin_of_its_account(
    abandon_wallet: Wallet, network: str, kind: str, origin: str
) -> None:
    account = abandon_wallet.account(network, kind=kind)
    address = account.receive_address()
    abandon_wallet.labels.set("addr", address, "Donations")
    (line,) = abandon_wallet.labels.export_bip329().splitlines()
    assert json.loads(line) == {
        "type": "addr",
        "ref": address,
        "label": "Donations",
        "origin": origin,
    }


def test_unknown_address_has_no_origin(abandon_wallet: Wallet) -> None:
    abandon_wallet.labels.set("addr", "bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c", "Theirs")
    (line,) = abandon_wallet.labels.export_bip329().splitlines()
    assert "origin" not in json.loads(line)


# -- property tests ------------------------------------------------------------------------

_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_crashes(text: str) -> None:
    parsed = parse_bip329(text)
    for problem in parsed.problems:
        assert problem.line >= 1
        assert problem.reason


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(LABEL_TYPES - {"input", "output", "tx", "pubkey"})),
            st.text("abcdefghjkmnpqrstuvwxyz123456789", min_size=1, max_size=20),
            _text,
            st.none() | _text,
        ),
        max_size=8,
    )
)
def test_parse_reads_back_what_json_lines_say(
    records: list[tuple[str, str, str, str | None]],
) -> None:
    lines = []
    for type_, ref, label, origin in records:
        ref = "spscan1" + ref if type_ == "spscan" else ref
        obj: dict[str, Any] = {"type": type_, "ref": ref, "label": label}
        if origin is not None:
            obj["origin"] = origin
        lines.append(json.dumps(obj, ensure_ascii=False))
    parsed = parse_bip329("\n".join(lines))
    assert parsed.problems == ()
    assert [(r.type, r.ref, r.label, r.origin) for r in parsed.records] == [
        (t, "spscan1" + r if t == "spscan" else r, lb, o) for t, r, lb, o in records
    ]


# -- the CLI -------------------------------------------------------------------------------


def test_cli_export_and_import(runner: CliRunner, tmp_path: Path) -> None:
    source, target = tmp_path / "a.coffer", tmp_path / "b.coffer"
    Wallet.create(source, PASSWORD, ABANDON).close()
    Wallet.create(target, PASSWORD, ABANDON).close()
    sparrow = tmp_path / "sparrow-labels.jsonl"
    sparrow.write_text("\n".join(SPARROW["lines"]) + "\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["--wallet", str(source), "--json", "labels", "import", str(sparrow)]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["imported"] == SPARROW["imported"]

    out = tmp_path / "coffer-labels.jsonl"
    result = runner.invoke(cli, ["--wallet", str(source), "labels", "export", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"Wrote {SPARROW['imported']} label record(s)" in result.stdout
    assert out.stat().st_mode & 0o777 == 0o600
    result = runner.invoke(cli, ["--wallet", str(target), "labels", "import", str(out)])
    assert result.exit_code == 0, result.stderr
    with Wallet.open(source, PASSWORD) as a, Wallet.open(target, PASSWORD) as b:
        assert _records(a) == _records(b)


def test_cli_export_over_a_readable_file_makes_it_owner_only(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "w.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        wallet.labels.set("tx", TXID, "Rent")
    out = tmp_path / "labels.jsonl"
    out.write_text("old\n")
    out.chmod(0o644)
    result = runner.invoke(cli, ["--wallet", str(path), "labels", "export", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert json.loads(out.read_text())["label"] == "Rent"


def test_cli_refuses_an_invalid_file_and_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    Wallet.create(path, PASSWORD, ABANDON).close()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(VALID[0]["line"] + "\n" + INVALID[0]["line"] + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["--wallet", str(path), "labels", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 2: not JSON" in result.stderr
    assert "nothing was imported" in result.stderr
    result = runner.invoke(
        cli, ["--wallet", str(path), "--json", "labels", "import", "--skip-invalid", str(bad)]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["imported"] == 1
    assert "skipped line 2" in result.stderr
