"""The code tab: the PyTorch code the compiler generates, read-only, highlighted, copyable."""

from __future__ import annotations

import keyword
import re

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from . import theme


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.DemiBold)
    fmt.setFontItalic(italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, builtins, numbers, strings and comments: enough for generated forward() code."""

    def __init__(self, document):
        super().__init__(document)
        dark = theme.is_dark()
        keyword_color = "#c084fc" if dark else "#7c3aed"
        self.rules = [
            (
                r"\b(" + "|".join(map(re.escape, keyword.kwlist)) + r")\b",
                _format(keyword_color, bold=True),
            ),
            (
                r"\b(self|torch|super|len|tuple|list|int|float)\b",
                _format("#60a5fa" if dark else "#1d4ed8"),
            ),
            (r"\b[0-9]+(\.[0-9]+)?\b", _format("#f59e0b" if dark else "#b45309")),
            (r"'[^'\n]*'|\"[^\"\n]*\"", _format("#34d399" if dark else "#047857")),
            (r"#[^\n]*", _format("#9ca3af" if dark else "#6b7280", italic=True)),
        ]
        self.rules = [(QRegularExpression(pattern), fmt) for pattern, fmt in self.rules]

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        for expression, fmt in self.rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), fmt)


class CodeView(QWidget):
    """Shows `readable_code(compile_graph(...))` when the analysis is complete, else why not.

    Compiling builds real modules, so it only happens while the tab is visible (`refresh` is
    called by the window when the tab is shown or the graph changes while it is shown)."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.editor = QPlainTextEdit(readOnly=True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = PythonHighlighter(self.editor.document())
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.copy_button = QPushButton("Copy code")
        self.copy_button.clicked.connect(self.copy)
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        bar.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.editor)
        self.document = document

    def set_document(self, document) -> None:
        self.document = document
        self.refresh()

    def refresh(self) -> None:
        import torch
        from neurocanvas.engine.compiler import CompileError, compile_graph, readable_code

        analysis = self.document.network_analysis  # the tab's network, blocks included
        if not analysis.complete:
            reason = (
                f"{len(analysis.errors)} problem(s) to fix first (see Issues)"
                if analysis.errors
                else "some sizes are 'auto' until data is attached"
            )
            self._show("", f"No code yet: {reason}.", can_copy=False)
            return
        try:
            # Only the code and the layers' reprs are shown: built on the meta device, VGG16's
            # 138M weights are neither allocated nor initialised on each edit.
            with torch.device("meta"):
                module = compile_graph(
                    self.document.network_graph, self.document.auto, analysis=analysis
                )
        except CompileError as error:
            self._show("", f"No code yet: {error}", can_copy=False)
            return
        # forward() alone names self.conv1 etc.; list what each one is so the code reads on its own.
        layers = [
            f"#   self.{name} = {' '.join(repr(child).split())}"
            for name, child in module.named_children()
        ]
        header = "# Layers (built from the graph):\n" + "\n".join(layers) + "\n\n" if layers else ""
        self._show(
            header + readable_code(module),
            "PyTorch forward() generated from the graph",
            can_copy=True,
        )

    def _show(self, code: str, note: str, can_copy: bool) -> None:
        if self.editor.toPlainText() != code:
            self.editor.setPlainText(code)
        self.note.setText(note)
        self.copy_button.setEnabled(can_copy)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.editor.toPlainText())
