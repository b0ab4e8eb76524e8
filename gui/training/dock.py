"""`TrainingDock(document)`: the training side of the window in one widget. Settings on the left
(data, training), views on the right (live curves, results, decision boundary, histograms, try
it, runs), and the controller that starts a `JobWorker` on a `TrainingJob` and routes the run's
events to the views.

The main window adds it as a dock and calls `confirm_close()` from its `closeEvent`.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from neurocanvas.engine.data import DatasetInfo
from neurocanvas.engine.session.messages import DataReady, Progress, Results, Snapshot, Status
from neurocanvas.engine.session.runner import LOADING
from neurocanvas.engine.session.training_job import TrainingJob
from neurocanvas.engine.training.events import RunFailed, RunFinished, RunStarted
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..tune_view import TuneView
from .boundary import BoundaryView
from .data_download import SOURCES
from .data_panel import DataPanel
from .data_sources import missing_builtin
from .dock_extras import PreviewControls, TensorBoards
from .fit import VerticalScrollArea
from .generative import GenerativeTabs
from .grad_view import GradNormView
from .histograms import HistogramView
from .inside_view import InsideView
from .plots import LiveView
from .results import ResultsView, epochs_text
from .runs import ENDINGS, RunsView
from .train_panel import TrainPanel
from .try_it import TryItView
from .worker import EventRouter, JobWorker

STOP_WAIT_MS = 10_000


class TrainingDock(QWidget):
    state_changed = Signal(str)  # "idle", "running", "paused"
    status_message = Signal(str)
    # Every node's output for the preview sample (node id -> engine/inspect/preview.py entry),
    # while a run with the preview on trains; None when the preview is switched off.
    preview_changed = Signal(object)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.worker: JobWorker | None = None
        self.state = "idle"
        self._boundary_data: dict | None = None  # the data section the boundary's points show
        self._session_runs: list[Path] = []  # run folders this project made in this session
        self._adopt_pending = False  # saved during a run: its folder moves once it has ended
        self.data_panel = DataPanel(document)
        self.train_panel = TrainPanel(document)
        self.live_view = LiveView()
        self.results_view = ResultsView()
        self.boundary_view = BoundaryView()
        self.histogram_view = HistogramView()
        self.grad_view = GradNormView()
        self.inside_view = InsideView()
        self.try_view = TryItView()
        self.runs_view = RunsView()
        # The Tune tab's view (four plots) is made when the tab is first shown: most sessions
        # never tune, and building it with the dock slowed the window's first layout.
        self.tune_view: TuneView | None = None
        self.tune_holder = QWidget()
        QVBoxLayout(self.tune_holder).setContentsMargins(0, 0, 0, 0)

        self.settings_tabs = QTabWidget()
        self.settings_tabs.addTab(VerticalScrollArea(self.data_panel), "Data")
        self.settings_tabs.addTab(VerticalScrollArea(self.train_panel), "Training")
        self.views = QTabWidget()
        for widget, title in (
            (self.live_view, "Live"),
            (self.results_view, "Results"),
            (self.boundary_view, "Boundary"),
            (self.histogram_view, "Histograms"),
            (self.grad_view, "Gradients"),
            (self.inside_view, "Inside"),
            (self.try_view, "Try it"),
            (self.runs_view, "Runs"),
            (self.tune_holder, "Tune"),
        ):
            self.views.addTab(widget, title)
        self.views.currentChanged.connect(self._tab_shown)
        self.generative = GenerativeTabs(self.views)  # GAN, autoencoder and RBM tabs
        self.generative.show_for(document.project)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; padding: 6px;"
        )
        self.details_button = QPushButton("Details…")
        self.details_button.clicked.connect(self._show_details)
        self.banner_row = QWidget()
        row = QHBoxLayout(self.banner_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.banner, 1)
        row.addWidget(self.details_button)
        self.banner_row.hide()
        self.details = ""

        # The banner sits under the views, so showing it never moves the tabs or the Train,
        # Pause and Stop buttons (only the view above it gets a little shorter).
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.views, 1)
        self.preview_controls = PreviewControls()
        self.preview_check = self.preview_controls.check
        self.preview_sample = self.preview_controls.spin
        self.preview_check.toggled.connect(
            lambda on: None if on else self.preview_changed.emit(None)
        )
        right_layout.addWidget(self.preview_controls)
        right_layout.addWidget(self.banner_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.settings_tabs)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([340, 1000])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter, 1)

        self.train_panel.train_requested.connect(self.start)
        self.train_panel.pause_requested.connect(self.pause)
        self.train_panel.resume_requested.connect(self.resume)
        self.train_panel.stop_requested.connect(self.stop)
        self.data_panel.loaded.connect(self._data_loaded)
        self.runs_view.open_checkpoint.connect(self._open_checkpoint)
        self.runs_view.open_tensorboard.connect(self.open_tensorboard)
        self.results_view.look_inside.connect(
            lambda view, sample: self.show_inside(view, None, None if sample < 0 else sample)
        )
        self.tensorboards = TensorBoards(self.status_message.emit, self.show_error)
        self.router = EventRouter(
            {
                Status: lambda status: self.live_view.status.setText(status.text),
                DataReady: self._data_ready,
                RunStarted: self._run_started,
                Progress: self._progress,
                Snapshot: self._snapshot,
                RunFinished: self._run_finished,
                Results: self._results,
                RunFailed: self._run_failed,
            }
        )
        document.path_changed.connect(self._path_changed)
        self._runs_where = (self._runs_base(), self._run_slug())
        app = QCoreApplication.instance()
        if app is not None:  # never leave a thread running at exit
            app.aboutToQuit.connect(self.shutdown)
        self.show_past_runs()

    # control ---------------------------------------------------------------------------------
    def start(self) -> bool:
        """Start a run with the project's current settings; False when one cannot start."""
        if self.worker is not None:
            return False
        every = getattr(self.document, "all_errors", None)  # each network a run trains
        errors = every() if every else getattr(self.document.analysis, "errors", None)
        if errors:
            self.show_error(f"Fix the graph first: {errors[0].message}")
            return False
        self.clear_error()
        self.data_panel.commit()  # a project without data trains on what the Data pane shows
        missing = missing_builtin(self.document.project.data)
        if missing is not None:  # the run could only fail: offer the download instead
            self.data_panel.download.offer(missing)
            self.settings_tabs.setCurrentIndex(0)  # the Data tab, where the offer is
            title = SOURCES[missing][0]
            self.show_error(
                f"{title} is not on this computer yet: press Download {title}… in the Data tab "
                "(or choose a folder that holds it), then Train again."
            )
            return False
        init_from = None
        if self.train_panel.start_from_latest.isChecked():
            init_from = self.latest_checkpoint()
            if init_from is None:
                self.show_error(
                    "No earlier run of this project has a checkpoint to start from: train it "
                    "once (with checkpoints on), or untick “Start from the latest run's weights”."
                )
                return False
        project = self.document.project.to_dict()
        run_dir = self._run_dir()
        self._session_runs.append(run_dir)
        preview = self.preview_controls.sample()
        drawn = self.preview_controls.image(self.try_view.pad)
        job = TrainingJob(
            project,
            run_dir=run_dir,
            preview_sample=preview,
            preview_image=drawn,
            init_from=init_from,
        )
        self.worker = JobWorker(job)
        self.worker.event.connect(self._on_event)
        self.worker.failed.connect(self._worker_crashed)
        self.worker.finished.connect(self._thread_finished)
        self.live_view.reset()
        self.live_view.status.setText(LOADING)
        self.results_view.clear()
        self.histogram_view.clear()
        self.grad_view.clear()
        self.runs_view.begin_run(project)
        self._set_state("running")
        self.generative.run_starting(self.document.project)
        self.views.setCurrentWidget(
            self.generative.first_view(self.document.project) or self.live_view
        )
        self.worker.start()
        return True

    def pause(self) -> None:
        if self.worker is not None and self.state == "running":
            self.worker.pause()
            self._set_state("paused")
            self._status_before_pause = self.live_view.status.text()
            self.live_view.status.setText("Paused. Press Resume to go on.")
            self.live_view.set_paused(True)

    def resume(self) -> None:
        if self.worker is not None and self.state == "paused":
            self.worker.resume()
            self._set_state("running")
            # The line said "Paused. Press Resume…" while the run went on: what it said before.
            self.live_view.status.setText(getattr(self, "_status_before_pause", "") or "Training…")
            self.live_view.set_paused(False)

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.request_stop()
            self.live_view.status.setText("Stopping…")
            self.train_panel.pause_button.setEnabled(False)
            self.train_panel.stop_button.setEnabled(False)

    @property
    def running(self) -> bool:
        return self.worker is not None

    def may_close(self) -> bool:
        """True when nothing runs, or the user agrees to stop the run (which goes on until
        `shutdown`: a later question, such as saving the project, may still cancel the close)."""
        return self.worker is None or self.ask_stop_training()

    def confirm_close(self) -> bool:
        """Ask (while a run is going), then stop the run; True when the dock may close."""
        if not self.may_close():
            return False
        self.shutdown()
        return True

    def ask_stop_training(self) -> bool:
        """Replaceable in tests; a modal question otherwise."""
        answer = QMessageBox.question(
            self,
            "Training is running",
            "A training run is in progress. Stop it and close? The best checkpoint so far is kept.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def shutdown(self) -> None:
        """Stop the run (if any) and wait for its thread: safe to call twice."""
        from ..background import wait_for_all

        if self.tune_view is not None:
            self.tune_view.stop()
        worker = self.worker
        if worker is not None:
            worker.request_stop()
            if not worker.wait(STOP_WAIT_MS):
                worker.kill()  # stuck in one long native call: end its process
                worker.wait(STOP_WAIT_MS)
            self._thread_finished()
        # Data and checkpoint loads; a run still starting its process (the bridge keeps it
        # until its thread ends, so giving up here never destroys a running thread).
        wait_for_all(STOP_WAIT_MS)
        self.tensorboards.stop_all()

    def set_document(self, document) -> None:
        """Another project in the window: stops a run (ask with `confirm_close` first)."""
        self.shutdown()
        self.document.path_changed.disconnect(self._path_changed)
        self.document = document
        document.path_changed.connect(self._path_changed)
        self._session_runs, self._runs_where = [], (self._runs_base(), self._run_slug())
        self.data_panel.set_document(document)
        self.train_panel.set_document(document)
        if self.tune_view is not None:
            self.tune_view.set_document(document)
        # Every view belongs to the open project: nothing of the last one stays on show.
        self.train_panel.set_suggested_loss(None)
        self.clear_error()
        self.live_view.reset()
        self.results_view.clear()
        self.boundary_view.set_points(None, None)
        self.histogram_view.clear()
        self.grad_view.clear()
        self.try_view.clear()
        self.inside_view.clear()
        self.generative.clear(document.project)
        self.show_past_runs()

    # the run's events ------------------------------------------------------------------------
    def _on_event(self, event) -> None:
        self.router(event)

    def _data_ready(self, ready: DataReady) -> None:
        info = ready.info
        self.data_panel.show_summary({"info": info, "report": ready.report})
        # The run's data sizes the canvas's `auto` Input and output, as a Load in the panel does.
        self.document.set_auto_sizes(DatasetInfo.from_dict(info).auto_sizes())
        self.train_panel.set_suggested_loss(info.get("suggested_loss"))
        self.boundary_view.set_points(ready.points, ready.labels, ready.class_names)
        self._boundary_data = dict(self.document.project.data or {})
        self.generative.data_ready(ready)
        if ready.points is not None and self.views.currentWidget() is self.live_view:
            self.views.setCurrentWidget(self.boundary_view)  # 2-D data: watch the boundary learn

    def _data_loaded(self, result: dict) -> None:
        if self.worker is None:
            self.clear_error()  # new valid data: the last run's failure is history
            if self.document.project.data != self._boundary_data:
                # The boundary showed a run on other data: a run on this data redraws it.
                self.boundary_view.set_points(None, None)
        self.train_panel.set_suggested_loss(result["info"].get("suggested_loss"))

    def _run_started(self, event: RunStarted) -> None:
        started = event.to_dict()  # the views also show runs read back from their folders
        self.live_view.reset(started)
        self.runs_view.run_started(started)

    def _progress(self, progress: Progress) -> None:
        self.live_view.add_progress(progress.events)
        self.grad_view.add_progress(progress.events)
        self.generative.progress(progress.events)

    def _snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.preview is not None and self.preview_check.isChecked():
            self.preview_changed.emit(snapshot.preview)
        if snapshot.boundary is not None:
            self.boundary_view.set_boundary(snapshot.boundary, snapshot.epoch)
        if snapshot.histograms is not None:
            self.histogram_view.add(snapshot.epoch, snapshot.histograms)
        self.generative.snapshot(snapshot)

    def _run_finished(self, event: RunFinished) -> None:
        finished = event.to_dict()
        self.live_view.finish(
            f"Finished ({ENDINGS.get(finished['stopped'], finished['stopped'])}) after "
            f"{epochs_text(finished['epochs_run'])} in "
            f"{finished['seconds']:.1f} s."
        )
        self.results_view.set_results(finished)
        self.generative.run_finished(finished)
        self.runs_view.run_finished(finished, self.live_view.history)
        if finished.get("checkpoint"):
            self.try_view.load_checkpoint(finished["checkpoint"])
            self.inside_view.set_checkpoint(finished["checkpoint"])
        if self.views.currentWidget() is self.live_view and finished.get("confusion_matrix"):
            self.views.setCurrentWidget(self.results_view)
        self.status_message.emit("Training finished")

    def _run_failed(self, event: RunFailed) -> None:
        failed = event.to_dict()
        kept = (
            f" The last good checkpoint is kept: {failed['checkpoint']}"
            if failed.get("checkpoint")
            else ""
        )
        self.show_error(f"Training failed: {failed['message']}{kept}", failed.get("details", ""))
        self.live_view.finish("Training failed (see the message below).")
        self.runs_view.run_failed(failed, self.live_view.history)

    def _worker_crashed(self, message: str, details: str) -> None:
        # A bug in the run layer itself (the job's own failures arrive as RunFailed).
        self.show_error(f"Training failed: {message}", details)
        self.live_view.finish("Training failed (see the message below).")

    def _thread_finished(self) -> None:
        if self.sender() is not None and self.sender() is not self.worker:
            return  # a worker given up on at shutdown, ending after a newer run began
        # A worker still starting its process ends on its own: `background` keeps it till then.
        self.worker = None
        self._set_state("idle")
        if self._adopt_pending:
            self._adopt_runs()

    # helpers ---------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        self.state = state
        self.train_panel.set_state(state)
        self.state_changed.emit(state)

    def _run_dir(self) -> Path:
        """A new run's folder: runs/<project>-<date>-<time>-<ms> beside the project file (in the
        user data folder for an unsaved project)."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]
        return self._runs_base() / f"{self._run_slug()}-{stamp}"

    def _runs_base(self) -> Path:
        from ..files import data_dir

        path = getattr(self.document, "path", None)
        return Path(path).parent / "runs" if path else data_dir() / "runs"

    def _run_slug(self) -> str:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", self.document.project.name).strip("-").lower()
        return slug or "run"

    def _path_changed(self) -> None:
        if self.worker is not None:  # the run still writes its folder: move it once it ends
            self._adopt_pending = True
        else:
            self._adopt_runs()

    def _adopt_runs(self) -> None:
        """First save of a project: its runs move from the user data folder to runs/ beside
        the file, renamed after it, so the Runs tab, Try it and Export keep finding them."""
        from ..files import data_dir
        from .run_folders import adopt_runs

        self._adopt_pending = False
        (old_base, old_slug), new_base = self._runs_where, self._runs_base()
        self._runs_where = (new_base, self._run_slug())
        if old_base != data_dir() / "runs" or old_base == new_base:
            return  # Save As of a saved project: its runs stay with the first file
        moved = adopt_runs(self._session_runs, old_slug, new_base, self._run_slug())
        self._session_runs = [moved.get(folder, folder) for folder in self._session_runs]
        if self.try_view.source and Path(self.try_view.source).parent in moved:
            self.try_view.clear()  # reloaded from its new place below
        self.show_past_runs()

    def _tab_shown(self, _index: int) -> None:
        if self.views.currentWidget() is self.tune_holder and self.tune_view is None:
            self.tune_view = TuneView(self.document)
            self.tune_view.run_opened.connect(self._open_trial_run)
            self.tune_view.seeds_written.connect(self.show_past_runs)
            self.tune_holder.layout().addWidget(self.tune_view)

    def _open_trial_run(self, folder: str) -> None:
        """A tuning trial's run, double-clicked in the Tune tab: added to Runs and shown."""
        from neurocanvas.engine.training.run_index import read_run

        run = read_run(folder)
        if run is not None:
            self.runs_view.add_past(run)
            self.views.setCurrentWidget(self.runs_view)

    def _results(self, results: Results) -> None:
        self.results_view.show_extras(results)
        self.generative.results(results)

    def latest_checkpoint(self) -> str | None:
        """The checkpoint of this project's most recent run that has one (Runs tab order)."""
        latest = [run["checkpoint"] for run in self.runs_view.runs if run["checkpoint"]]
        return str(latest[-1]) if latest else None

    def show_past_runs(self) -> None:
        """List this project's runs from earlier sessions (its run folders) in Runs."""
        from neurocanvas.engine.training.run_index import list_runs

        pattern = re.escape(self._run_slug()) + r"-\d{8}-\d{6}-\d{3}"
        runs = list_runs(self._runs_base(), pattern)
        seeded = re.escape(self._run_slug()) + r"-seeds-\d{8}-\d{6}"  # Repeat with seeds
        for folder in sorted(self._runs_base().glob(f"{self._run_slug()}-seeds-*")):
            if re.fullmatch(seeded, folder.name):
                runs += list_runs(folder, r"seed-\d+")
        self.runs_view.show_past(runs)
        latest = self.latest_checkpoint()
        if latest and self.try_view.model is None:  # Try it answers with this project's model
            self.try_view.load_checkpoint(latest)
            self.inside_view.set_checkpoint(latest)

    def open_tensorboard(self, folder: str) -> None:
        """TensorBoard on loopback for a run's logs folder, opened in the browser."""
        self.tensorboards.open(folder)

    def show_inside(self, view: str, node: str | None = None, sample: int | None = None) -> None:
        """A view of the model inside (the Inside tab), or "gradients": the Gradients tab."""
        if view == "gradients":
            self.views.setCurrentWidget(self.grad_view)
            return
        self.views.setCurrentWidget(self.inside_view)
        self.inside_view.show_view(view, node, sample)

    def _open_checkpoint(self, path: str) -> None:
        self.try_view.load_checkpoint(path)
        self.inside_view.set_checkpoint(path)
        self.views.setCurrentWidget(self.try_view)

    def show_error(self, text: str, details: str = "") -> None:
        self.banner.setText(text)
        self.details = details
        self.details_button.setVisible(bool(details))
        self.banner_row.show()
        self.status_message.emit(text)

    def clear_error(self) -> None:
        self.banner_row.hide()
        self.banner.clear()

    def error_text(self) -> str:
        return self.banner.text() if self.banner_row.isVisibleTo(self) else ""

    def _show_details(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Training failed", self.banner.text(), parent=self
        )
        box.setDetailedText(self.details)
        box.open()
