"""Every string of the interface is translated into Simplified Chinese, and the compiled file
is the one the source gives (``pyside6-lupdate`` and ``pyside6-lrelease`` run here)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

ROOT = Path(__file__).parents[2]
I18N = ROOT / "gui" / "i18n"
BIN = Path(sys.executable).parent


def _sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gui").rglob("*.py"))


def test_every_string_has_a_chinese_translation() -> None:
    tree = ET.parse(I18N / "coffer_zh_CN.ts")  # noqa: S314 - the repository's own file
    messages = list(tree.iter("message"))
    assert len(messages) > 80
    for message in messages:
        translation = message.find("translation")
        assert translation is not None
        assert translation.get("type") not in ("unfinished", "vanished", "obsolete"), (
            message.findtext("source")
        )
        text = (translation.text or "").strip() or "".join(n.text or "" for n in translation)
        assert text.strip(), message.findtext("source")


def test_the_source_lists_every_string_of_the_code(tmp_path: Path) -> None:
    copy = tmp_path / "coffer_zh_CN.ts"
    shutil.copyfile(I18N / "coffer_zh_CN.ts", copy)
    done = subprocess.run(
        [str(BIN / "pyside6-lupdate"), *_sources(), "-no-obsolete", "-ts", str(copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "0 new" in done.stdout, done.stdout  # nothing in the code that the .ts lacks
    tree = ET.parse(copy)  # noqa: S314 - the repository's own file
    unfinished = [
        m.findtext("source")
        for m in tree.iter("message")
        if m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
    ]
    assert unfinished == []


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_compiled_file_is_up_to_date(tmp_path: Path, language: str) -> None:
    out = tmp_path / f"coffer_{language}.qm"
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), str(I18N / f"coffer_{language}.ts"), "-qm", str(out)],
        capture_output=True,
        check=True,
    )
    assert out.read_bytes() == (I18N / f"coffer_{language}.qm").read_bytes()


def test_english_plurals_are_complete(tmp_path: Path) -> None:
    copy = tmp_path / "coffer_en.ts"
    shutil.copyfile(I18N / "coffer_en.ts", copy)
    subprocess.run(
        [
            str(BIN / "pyside6-lupdate"),
            *_sources(),
            "-no-obsolete",
            "-pluralonly",
            "-ts",
            str(copy),
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    tree = ET.parse(copy)  # noqa: S314 - the repository's own file
    for message in tree.iter("message"):
        translation = message.find("translation")
        assert translation is not None
        forms = [n.text for n in translation.iter("numerusform")]
        assert len(forms) == 2, message.findtext("source")
        assert all(forms), message.findtext("source")
