"""Training and results in the window: data and training panels, the bridge thread that runs a
job of the run layer (`engine/session/`), live curves, results (confusion matrix, ROC, decision
boundary, histograms), try-it predictions and the runs list. `TrainingDock(document)` puts them
together."""
