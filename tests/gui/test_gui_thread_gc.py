"""The garbage collector runs on the GUI thread only while a GuiThreadCollector is started."""

from __future__ import annotations

import gc
import threading
import weakref

from neurocanvas.gui.gui_thread_gc import GuiThreadCollector


class _Cyclic:
    def __init__(self):
        self.itself = self


def _make_cycles(count: int) -> None:
    for _ in range(count):
        _Cyclic()


def test_collections_caused_by_a_worker_run_on_the_gui_thread(qtbot):
    gc.enable()  # as the interpreter starts (the suite's own collector turned it off)
    collector = GuiThreadCollector(interval_ms=20)
    threads: list[int] = []

    def record(phase, info):
        if phase == "start":
            threads.append(threading.get_ident())

    gc.callbacks.append(record)
    try:
        # Far past every threshold: without the collector this worker would collect many times.
        worker = threading.Thread(target=_make_cycles, args=(50_000,))
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: len(threads) > 0, timeout=5000)
    finally:
        gc.callbacks.remove(record)
        collector.stop()
    assert set(threads) == {threading.main_thread().ident}


def test_check_frees_cycles_once_past_the_threshold_and_stop_restores_collection(qapp):
    gc.enable()  # as the interpreter starts (the suite's own collector turned it off)
    collector = GuiThreadCollector(interval_ms=60_000)  # the test calls check() itself
    try:
        assert not gc.isenabled()
        gc.collect()
        assert collector.check() is None  # nothing to do right after a collection
        doomed = _Cyclic()
        gone = weakref.ref(doomed)
        del doomed
        _make_cycles(collector.thresholds[0] + 10)
        assert gone() is not None  # automatic collection is off
        assert collector.check() == 0
        assert gone() is None
    finally:
        collector.stop()
    assert gc.isenabled()
