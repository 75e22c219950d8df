"""The interface's translations: Qt ``.ts`` sources and compiled ``.qm`` files in this folder.

``coffer_zh_CN.ts`` is the Simplified Chinese source; refresh it with ``pyside6-lupdate`` after
changing strings and compile it with ``pyside6-lrelease`` (``tests/gui/test_translations.py``
fails while either is out of date or a string is untranslated).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

__all__ = ["LANGUAGES", "install_translator"]

FOLDER = Path(__file__).parent
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


def install_translator(app: QCoreApplication, language: str | None = None) -> QTranslator | None:
    """Load the translation for ``language`` (or the system's) into ``app``.

    Returns:
        The installed translator, or ``None`` for English (the source language) or a language
        Coffer has no translation for.
    """
    locale = QLocale(language) if language else QLocale.system()
    QLocale.setDefault(locale)
    translator = QTranslator(app)
    if not translator.load(locale, "coffer", "_", str(FOLDER)):
        return None
    app.installTranslator(translator)
    return translator
