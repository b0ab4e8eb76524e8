"""Looking inside a trained network: every node's output for a sample (`capture`), feature maps and
filters as images (`maps`, `images`), activation statistics (`stats`), attributions from Captum
(`attribution`), and 2-D/3-D projections of a layer's activations (`projection`).

No Qt here: the window's views and the `activations` / `explain` commands draw on these.
"""
