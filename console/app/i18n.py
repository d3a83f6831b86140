"""Interface language: picks zh_CN or en and installs the console's and Qt's own translators.

The console ships Simplified Chinese and English. English is the source language of every string (``tr()``), so
English needs no translation file. "system" follows the operating system's locale: any Chinese locale gives zh_CN.
Translations live in ``resources/translations/console_zh_CN.ts`` (edited) and ``.qm`` (compiled with
``pyside6-lrelease``; a test checks the two agree and that every string in the code is translated).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from console.app import RESOURCES

TRANSLATIONS_DIR = RESOURCES / "translations"
SUPPORTED = ("zh_CN", "en")


def resolve_language(setting: str, system_locale: str | None = None) -> str:
    """Map a settings value ("system", "zh_CN", "en") to a shipped language."""
    if setting in SUPPORTED:
        return setting
    name = system_locale if system_locale is not None else QLocale.system().name()
    return "zh_CN" if name.lower().startswith("zh") else "en"


class Translations:
    """Owns the installed translators so that switching language removes the previous ones."""

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []
        self.language = "en"

    def install(self, language: str) -> None:
        app = QCoreApplication.instance()
        assert app is not None, "install translations after creating the QApplication"
        for translator in self._installed:
            app.removeTranslator(translator)
        self._installed.clear()
        self.language = language
        QLocale.setDefault(QLocale(language))
        if language == "en":
            return
        own = QTranslator(app)
        if not own.load(str(TRANSLATIONS_DIR / f"console_{language}.qm")):
            raise FileNotFoundError(f"translation file console_{language}.qm is missing from {TRANSLATIONS_DIR}")
        app.installTranslator(own)
        self._installed.append(own)
        qt = QTranslator(app)
        if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
            self._installed.append(qt)
