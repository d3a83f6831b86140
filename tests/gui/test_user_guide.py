"""Help → User guide shows the guide of the interface language, rendered in the window."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from console.app import DOCS
from console.app.i18n import Translations
from console.app.main_window import MainWindow
from widgets.dialogs.user_guide_dialog import UserGuideDialog, guide_path

pytestmark = pytest.mark.gui


def test_the_guide_follows_the_interface_language(qtbot, demo_context) -> None:
    translations = Translations()  # one instance: installing English removes the Chinese translators it installed
    try:
        for language, heading in (("zh_CN", "网点厅堂监控台 用户指南"), ("en", "Branch Lobby Console — user guide")):
            translations.install(language)
            window = MainWindow(demo_context)
            qtbot.addWidget(window)
            help_menu = window.menuBar().actions()[-1].menu()
            [guide] = [a for a in help_menu.actions() if a.text() in ("用户指南(&U)", "&User guide")]
            dialog = window.user_guide_dialog()
            qtbot.addWidget(dialog)
            assert dialog.browser.source().toLocalFile().endswith(
                "user-guide.zh_CN.md" if language == "zh_CN" else "user-guide.md")
            text = dialog.browser.toPlainText()
            assert text.startswith(heading)
            assert len(text) > 10_000  # the whole guide, not a stub
            assert guide.isEnabled()
            # every link of the contents and every cross-reference has its heading to jump to
            html = dialog.browser.document().toHtml()
            names = set(re.findall(r'<a name="([^"]+)"', html))
            links = {unquote(link) for link in re.findall(r'href="#([^"]+)"', html)}
            assert links and links <= names, sorted(links - names)
    finally:
        translations.install("en")


def test_a_missing_guide_says_where_it_was_looked_for(qtbot, tmp_path) -> None:
    Translations().install("en")
    assert guide_path(tmp_path, "zh_CN") == tmp_path / "user-guide.md"  # no Chinese guide there: the English one
    assert guide_path(DOCS, "zh_CN") == DOCS / "user-guide.zh_CN.md"
    dialog = UserGuideDialog(tmp_path / "user-guide.md")
    qtbot.addWidget(dialog)
    assert dialog.browser.isHidden()
    assert str(tmp_path / "user-guide.md") in dialog.missing.text()
