"""Training and results in the window: data and training panels, the worker thread that runs the
headless trainer, live curves, results (confusion matrix, ROC, decision boundary, histograms),
try-it predictions and the runs list. `TrainingDock(document)` puts them together."""
