"""The node-graph canvas: `view.CanvasView` (zoom, pan, drops, keys, clipboard) over `scene.CanvasScene`
(items kept in step with the Document), drawing `node_item`, `edge_item` and `port_item`."""
