"""The inspector: a form built from the selected node's `ParamSpec`s, plus its name, help and shape.

Each value is checked with `ParamSpec.coerce` as it is typed (`ParamEditor`, the editor the training
dock's forms use too); a refused value shows the engine's message under the field and is not
applied. Accepted values go to `Document.set_param`, which merges consecutive edits of one parameter
into one undo step.
"""

from __future__ import annotations

from typing import Any

from neurocanvas.engine.graph import TRAINABLE_HELP
from neurocanvas.engine.shape_format import shape_text
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from . import theme
from .param_editor import ParamEditor, error_label


class Inspector(QScrollArea):
    """Shows the node `show_node(id)` names; rebuilds only when the node or its type changes."""

    status_message = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(260)
        self.node_id: str | None = None
        self._built_for: tuple | None = None
        self.editors: dict[str, ParamEditor] = {}
        self.document = None
        self.set_document(document)

    def set_document(self, document) -> None:
        if self.document is not None:
            self.document.analysis_changed.disconnect(self.refresh)
            self.document.active_changed.disconnect(self._on_active_changed)
        self.document = document
        document.analysis_changed.connect(self.refresh)
        document.active_changed.connect(self._on_active_changed)
        self.show_node(None)

    def _on_active_changed(self) -> None:
        self.show_node(None)  # another graph: its layers are other ones

    # ---- building -----------------------------------------------------------------------------
    def show_node(self, node_id: str | None, selected_count: int = 1) -> None:
        self.node_id = node_id if node_id in self.document.graph.nodes else None
        self._built_for = None
        self._selected_count = selected_count
        self._build()

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        self.editors = {}
        self.exposed_editors = {}  # a block's exposed parameters, edited through the block
        self.name_edit = self.name_error = None
        self.trainable_box = None
        if self.node_id is None:
            text = (
                f"{self._selected_count} layers selected"
                if self._selected_count > 1
                else "Select a layer to see and edit its settings."
            )
            empty = QLabel(text)
            empty.setWordWrap(True)
            empty.setObjectName("muted")
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(empty)
            layout.addStretch(1)
            self.setWidget(body)
            return
        node = self.document.graph.nodes[self.node_id]
        spec = node.spec
        self._built_for = (node.id, node.type)
        chip = QLabel()
        chip.setFixedSize(12, 12)
        chip.setStyleSheet(
            f"background: {theme.category_color(spec.category).name()};border-radius: 3px;"
        )
        title = QLabel(f"<b>{spec.name}</b> <span style='color:gray'>· {spec.category}</span>")
        title.setStyleSheet("font-size: 15px;")
        heading = QHBoxLayout()
        heading.setSpacing(8)
        heading.addWidget(chip)
        heading.addWidget(title, 1)
        help_label = QLabel(spec.help)
        help_label.setWordWrap(True)
        help_label.setObjectName("muted")
        layout.addLayout(heading)
        layout.addWidget(help_label)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(6)
        self.name_edit = QLineEdit(node.id)
        self.name_edit.setToolTip("The node's name: used in the generated code and the summary")
        self.name_error = error_label()
        self.name_edit.editingFinished.connect(self._rename)
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_error)
        # A study tunes the main network's own layers (not another tab's, nor a body's).
        main = self.document.active_path == (self.document.main_graph,)
        for param in (p for p in spec.params if p.editable):  # not a block's body or mapping
            editor = ParamEditor(param, node.params.get(param.name, param.default), self)
            editor.committed.connect(lambda value, name=param.name: self._set_param(name, value))
            label = QLabel(param.name.replace("_", " "))
            tunable = main and param.kind in ("int", "float", "bool", "choice")
            label.setToolTip(param.help + ("\n(right-click: Tune this...)" if tunable else ""))
            if tunable:
                label.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                label.customContextMenuRequested.connect(
                    lambda pos, name=param.name, widget=label: self._tune_menu(widget, pos, name)
                )
            form.addRow(label, editor.widget)
            form.addRow("", editor.error)
            self.editors[param.name] = editor
        self._add_exposed(form, node)
        if not spec.is_source:
            self.trainable_box = QCheckBox("trainable")
            self.trainable_box.setChecked(node.trainable)
            self.trainable_box.setToolTip(TRAINABLE_HELP)
            self.trainable_box.toggled.connect(self._set_trainable)
            form.addRow("Weights", self.trainable_box)
        layout.addLayout(form)

        self.shape_label = QLabel()
        self.params_label = QLabel()
        self.issue_label = error_label()
        for label in (self.shape_label, self.params_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info = QFormLayout()
        info.addRow("Output shape", self.shape_label)
        info.addRow("Parameters", self.params_label)
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.HLine)
        separator.setFrameShadow(QFrame.Shadow.Plain)
        separator.setObjectName("separator")
        layout.addWidget(separator)
        layout.addLayout(info)
        layout.addWidget(self.issue_label)
        layout.addStretch(1)
        self.setWidget(body)
        self._update_info()

    # ---- reacting to the document -------------------------------------------------------------
    def refresh(self) -> None:
        """After any edit (or undo): keep the form if it is still the same node, else rebuild."""
        graph = self.document.graph
        if self.node_id is not None and self.node_id not in graph.nodes:
            self.show_node(None)
            return
        if self.node_id is None:
            return
        node = graph.nodes[self.node_id]
        if self._built_for != (node.id, node.type) or set(self.editors) != {
            name for name in node.params if name in spec_editable(node)
        }:
            self._build()
            return
        for name, editor in self.editors.items():
            if node.params.get(name) != editor._current:
                editor.set_value(node.params.get(name))
        self._refresh_exposed(node)
        box = getattr(self, "trainable_box", None)
        if box is not None and box.isChecked() != node.trainable:
            box.blockSignals(True)  # showing the state is not an edit
            box.setChecked(node.trainable)
            box.blockSignals(False)
        self._update_info()

    def _update_info(self) -> None:
        analysis = self.document.analysis
        result = analysis.shapes.get(self.node_id)
        self.shape_label.setText(shape_text(result.shape if result else None))
        self.params_label.setText(f"{result.param_count:,}" if result else "0")
        issues = analysis.issues_for(self.node_id)
        self.issue_label.setText("\n".join(str(issue) for issue in issues))
        self.issue_label.setVisible(bool(issues))

    # ---- edits ----------------------------------------------------------------------------------
    def _tune_menu(self, widget, pos, name: str) -> None:
        from .tune_menu import tune_menu

        tune_menu(self, lambda: self.tune_this(name)).popup(widget.mapToGlobal(pos))

    def tune_this(self, name: str):
        """ "Tune this..." for parameter `name` of the shown node: the prefilled dialog."""
        from .tune_menu import tune_dialog

        node = self.document.graph.nodes[self.node_id]
        spec = node.spec.param_index[name]
        current = node.params.get(name, spec.default)
        return tune_dialog(self.document, spec, current, self, node=node.id, param=name)

    def _set_param(self, name: str, value: Any) -> None:
        if self.node_id is not None:
            self.document.set_param(self.node_id, name, value)

    def _rename(self) -> None:
        if self.node_id is None or self.name_edit is None:
            return
        new_id = self.name_edit.text().strip()
        if new_id == self.node_id:
            self.name_error.hide()
            return
        old_id = self.node_id
        # Follow the node before the edit runs: the re-analysis it triggers refreshes this form.
        self.node_id = new_id
        self._built_for = (new_id, self.document.graph.nodes[old_id].type)
        reason = self.document.rename_node(old_id, new_id)
        if reason:
            self.node_id = old_id
            self._built_for = (old_id, self._built_for[1])
            self.name_error.setText(reason)
            self.name_error.show()
            return
        self.name_error.hide()
        self.status_message.emit(f"Renamed {old_id} to {new_id}")

    def _add_exposed(self, form: QFormLayout, node) -> None:
        """A block's exposed parameters as its own fields (they edit the inner layer)."""
        from neurocanvas.engine.blocks import BLOCK_TYPE, exposed_targets

        if node.type != BLOCK_TYPE:
            return
        body = node.params["graph"]
        try:
            targets = exposed_targets(body, node.params["expose"])
        except ValueError:  # pointing nowhere: the block's issue says so
            return
        for name, (inner_id, param) in targets.items():
            inner = body.nodes[inner_id]
            editor = ParamEditor(inner.spec.param_index[param], inner.params[param], self)
            editor.committed.connect(lambda value, name=name: self._set_exposed(name, value))
            label = QLabel(name.replace("_", " "))
            label.setToolTip(f"{inner_id}.{param} inside the block")
            form.addRow(label, editor.widget)
            form.addRow("", editor.error)
            self.exposed_editors[name] = editor

    def _refresh_exposed(self, node) -> None:
        if not self.exposed_editors:
            return
        from neurocanvas.engine.blocks import exposed_values

        for name, value in exposed_values(node).items():
            editor = self.exposed_editors.get(name)
            if editor is not None and value != editor._current:
                editor.set_value(value)

    def _set_exposed(self, name: str, value: Any) -> None:
        if self.node_id is not None:
            self.document.set_exposed(self.node_id, name, value)

    def _set_trainable(self, checked: bool) -> None:
        if self.node_id is not None:
            self.document.set_trainable(self.node_id, checked)


def spec_editable(node) -> set[str]:
    """The params the inspector has a field for (a block's body and mapping have none)."""
    return {param.name for param in node.spec.params if param.editable}
