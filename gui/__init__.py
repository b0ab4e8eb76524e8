"""NeuroCanvas desktop window (PySide6 + pyqtgraph): a view over `neurocanvas.engine`."""
