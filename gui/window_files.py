"""File commands of the main window: new from template, open, recent files, save, save as, the
unsaved-changes prompt on close and the offer to restore an autosave after a crash.

Every question to the user goes through one `ask_*` / `show_error` method, so tests replace
that method instead of clicking through a modal dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from . import files

FILE_FILTER = "NeuroCanvas projects (*.json);;All files (*)"
OPENING = "opening another project"


class FileActions:
    """Mixed into MainWindow (needs `document`, `set_document`, `recent_menu`, `autosaver`)."""

    # ---- questions (replaceable in tests) --------------------------------------------------------
    save_purpose = "closing"  # what the unsaved-changes question says is about to happen

    def ask_save_changes(self) -> str:
        """'save', 'discard' or 'cancel' (the question names `save_purpose`)."""
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.document.title} before {self.save_purpose}?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")

    def ask_open_path(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", self._start_dir(), FILE_FILTER)
        return Path(name) if name else None

    def ask_save_path(self) -> Path | None:
        suggested = str(Path(self._start_dir()) / f"{self.document.project.name}.json")
        name, _ = QFileDialog.getSaveFileName(self, "Save project", suggested, FILE_FILTER)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix(".json")

    def ask_template(self, on_painted=None):
        """The gallery's choice; `on_painted` is called once it is on screen."""
        from .gallery import pick_template

        return pick_template(self, on_painted)

    def ask_restore(self, recovery: files.Recovery) -> bool:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            "Restore unsaved work?",
            f"NeuroCanvas did not close properly last time.\n\nRestore {recovery.description}?",
            buttons.Yes | buttons.No,
            buttons.Yes,
        )
        return answer == buttons.Yes

    def show_error(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)

    def _start_dir(self) -> str:
        if self.document is not None and self.document.path:
            return str(self.document.path.parent)
        return str(Path.home())

    # ---- new / open -----------------------------------------------------------------------------
    def maybe_save(self, purpose: str = "closing") -> bool:
        """True when it is fine to drop the current document (saved, discarded or unmodified);
        `purpose` ends the question: "Save the changes to X before <purpose>?"."""
        training = getattr(self, "training", None)
        if training is not None and not training.may_close():
            return False  # a run is going and the user chose to keep it
        if not self._saved_or_discarded(purpose):
            return False  # the run goes on too: nothing is closing
        if training is not None:
            training.shutdown()
        return True

    def _saved_or_discarded(self, purpose: str) -> bool:
        if self.document is None or not self.document.modified:
            return True
        self.save_purpose = purpose
        try:
            answer = self.ask_save_changes()
        finally:
            self.save_purpose = "closing"
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_from_template(self) -> bool:
        return self.apply_template_choice(self.ask_template())

    def apply_template_choice(self, choice) -> bool:
        """Act on the gallery's answer (a template, blank, a recent file, Open...; None: cancelled)."""
        if choice is None:
            return False
        if choice.kind == "open":
            return self.open_dialog()
        if choice.kind == "recent":
            return self.open_path(Path(choice.name))
        if not self.maybe_save("starting a new project"):
            return False
        from neurocanvas.engine.project import Project
        from neurocanvas.engine.templates import load_template

        from .document import Document

        project = load_template(choice.name) if choice.kind == "template" else Project()
        self._replace_document(Document(project))
        return True

    def open_template(self, name: str) -> None:
        from neurocanvas.engine.templates import load_template

        from .document import Document

        self._replace_document(Document(load_template(name)))

    def open_dialog(self) -> bool:
        # Ask about unsaved changes first: after picking a file is too late to change one's mind.
        if not self.maybe_save(OPENING):
            return False
        path = self.ask_open_path()
        return self.open_path(path, asked=True) if path else False

    def open_path(self, path: Path, *, asked: bool = False) -> bool:
        """Open a project file; a broken one is reported (file, line, column) and changes nothing.
        `asked`: the unsaved-changes question was answered already (by `open_dialog`)."""
        from neurocanvas.engine.project import ProjectError

        from .document import Document

        if not asked and not self.maybe_save(OPENING):
            return False
        try:
            document = Document.open(Path(path))
        except ProjectError as error:
            self.show_error("Cannot open project", str(error))
            return False
        self._replace_document(document)
        files.add_recent_file(Path(path))
        self.show_message(f"Opened {path}")
        return True

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = files.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if not recent:
            self.recent_menu.addAction("No recent files").setEnabled(False)
            return
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("Clear list", files.clear_recent_files)

    def _replace_document(self, document) -> None:
        self.autosaver.clear()
        self.set_document(document)

    # ---- save -----------------------------------------------------------------------------------
    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        return self._save_to(path) if path else False

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as error:
            self.show_error("Cannot save project", f"{path}: {error.strerror or error}")
            return False
        files.add_recent_file(path)
        self.autosaver.clear()
        self.show_message(f"Saved {path}")
        return True

    # ---- recovery and closing -------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """After a crash: offer the newest autosave; True when one was restored."""
        from neurocanvas.engine.project import ProjectError, from_dict

        from .document import Document

        for recovery in files.find_recoveries():
            try:
                project = from_dict(recovery.project_json, str(recovery.path))
            except ProjectError:
                files.discard_recovery(recovery)
                continue
            restore = self.ask_restore(recovery)
            files.discard_recovery(recovery)
            if restore:
                document = Document(project, recovery.original)
                document.undo_stack.resetClean()  # restored work is unsaved work
                self._replace_document(document)
                self._update_title()
                return True
        return False

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self.loaded:
            event.accept()
            return
        if not self.maybe_save():
            event.ignore()
            return
        files.save_window_layout(self)
        self.autosaver.stop()
        event.accept()
