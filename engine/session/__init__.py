"""The run layer: jobs, the training process that runs them, and the messages they send.

No Qt here: the window's bridge thread, the command line or a tuning study drive the same
`JobRunner`. Modules: `job` (the `Job` interface), `training_job` (a training run of a project),
`messages` (the typed events and the connection's envelope), `process` and `server` (the two
ends of a training process), `pool` (`TrainerPool`), `runner` (`JobRunner`), `insight`
(boundary, histograms, ROC for the views) and `hints` (plain-language advice from the curves).

Nothing is imported here: the training process imports this package before its handshake, when
it must not wait for torch.
"""
