"""The interface's translations: Qt ``.ts`` sources and compiled ``.qm`` files in this folder.

``coffer_zh_CN.ts`` is the Simplified Chinese source and ``coffer_en.ts`` the English plural
forms. Refresh them with ``pyside6-lupdate`` after changing strings (``-pluralonly`` for English)
and compile them with ``pyside6-lrelease``; ``tests/gui/test_translations.py`` fails while one
is out of date or a string is untranslated.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

__all__ = ["LANGUAGES", "install_translator"]

FOLDER = Path(__file__).parent
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


def install_translator(app: QCoreApplication, language: str | None = None) -> QTranslator:
    """Load the translation for ``language`` (or the system's) into ``app``.

    English is the source language; its file carries only the plural forms ("1 account",
    "2 accounts"). A language Coffer has no translation for gets English.

    Returns:
        The installed translator.
    """
    locale = QLocale(language) if language else QLocale.system()
    QLocale.setDefault(locale)
    translator = QTranslator(app)
    if not translator.load(locale, "coffer", "_", str(FOLDER)):
        translator.load(str(FOLDER / "coffer_en.qm"))
    app.installTranslator(translator)
    return translator
