"""A document goes cleanly however it is destroyed, with edits on its undo stack.

The garbage collector, tearing down a cycle that holds a document, used to free the stack's
Python half first; Qt then deleted the freed commands again (a segfault that ended a CI run). The
crash kills the interpreter, so the scenario runs in a child process and the test reads its exit.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

from neurocanvas.gui.document import Document

_CYCLES_OF_EDITED_DOCUMENTS = """
import gc
from PySide6.QtWidgets import QApplication
app = QApplication([])
from neurocanvas.gui.document import Document

class Holder:
    pass

for round_ in range(60):
    document = Document()
    node_id = document.add_node("Dense", (0.0, 0.0))
    document.set_param(node_id, "units", 7 + round_)
    document.set_settings("training", {"epochs": round_ + 1}, "Set epochs")
    holder = Holder()
    holder.document, holder.itself = document, holder  # a cycle only the collector frees
    del document, holder
    if round_ % 5 == 0:
        gc.collect()
gc.collect()
print("survived")
"""


def test_documents_in_cycles_are_collected_without_a_crash():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.run(
        [sys.executable, "-c", _CYCLES_OF_EDITED_DOCUMENTS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "survived"


def test_a_closed_document_and_its_edits_are_freed(qapp):
    # The edits refer back to their document weakly: a strong reference from the commands (held
    # until the stack is cleared) would keep every document ever opened alive.
    document = Document()
    node_id = document.add_node("Dense", (0.0, 0.0))
    document.set_param(node_id, "units", 9)
    document.set_settings("training", {"epochs": 2}, "Set epochs")
    gone = weakref.ref(document)
    del document
    gc.collect()
    assert gone() is None
