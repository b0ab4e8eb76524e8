"""Hyperparameter search with Optuna: the project's search space (space.py), the values of a
trial in the project (values.py), one trial as a run (objective.py), the study and its workers
(study.py, workers.py) and `neurocanvas tune` (cli_args.py, cli_commands.py). No Qt here."""
