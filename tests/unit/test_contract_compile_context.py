"""Compiling a test contract leaves the caller's Decimal context as it was."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_compiling_a_contract_keeps_the_callers_decimal_precision(tmp_path: Path) -> None:
    if importlib.util.find_spec("vyper") is None:  # not imported here: it would change ours
        pytest.skip("vyper is not installed")
    # A fresh process: vyper sets its 78-digit context on its first import only.
    code = (
        "import decimal, pathlib, sys\n"
        "from chains.evm.contracts import compile_contract\n"
        "compile_contract('ERC20', cache_dir=pathlib.Path(sys.argv[1]))\n"
        "print(decimal.getcontext().prec)\n"
        "print(decimal.Decimal(1) / decimal.Decimal(3))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=True,
    ).stdout.split()
    assert out == ["28", "0.3333333333333333333333333333"]
