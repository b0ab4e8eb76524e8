"""The Document's block and freezing edits (group, ungroup, exposed parameters, trainable,
adding a block from the user's library), each one undoable step through `Document._push`, like
every other edit."""

from __future__ import annotations

from typing import Any


class BlockEdits:
    """Mixed into `Document`: uses its `graph` (the active one), `active_path` and `_push`."""

    def group_nodes(self, node_ids: list[str]) -> str | None:
        """Group the layers into one Block (one undo step); returns its id, None if refused."""
        from neurocanvas.engine.block_edit import group

        block_id = self.graph.unique_id("block")
        chosen = list(node_ids)
        if self._push("Group into block", lambda graph: group(graph, chosen, block_id=block_id)):
            return block_id
        return None

    def ungroup(self, block_id: str) -> bool:
        """Put a block's layers back in its place (one undo step)."""
        from neurocanvas.engine.block_edit import ungroup

        return self._push(f"Ungroup {block_id}", lambda graph: ungroup(graph, block_id))

    def add_library_block(self, block, pos=None, after: str | None = None, edge=None) -> str:
        """Add a copy of a user block (a `LibraryBlock`): at `pos`, on the wire `edge`, or after
        the node `after` as the palette adds layers; one undo step. Returns the new node's id,
        named after the block (`inception_1`)."""
        params, stem = block.params(), block.node.id
        if edge is not None:
            return self.insert_on_wire("Block", edge, pos, params, stem)
        if pos is not None:
            return self.add_node("Block", pos, params, stem=stem)
        return self.add_after("Block", after, params, stem)

    def replace_head(self, node_id: str, classes: int) -> str | None:
        """Replace `node_id` and what follows by a Dense head for `classes` (one undo step);
        returns the new head's id, None if refused (the reason goes to the status bar)."""
        from neurocanvas.engine.head import replace_head

        made = []
        auto = self.auto

        def apply(graph) -> None:
            made.append(replace_head(graph, node_id, classes, auto=auto).head)

        if self._push(f"Replace head {node_id} (Dense {classes})", apply):
            return made[-1]
        return None

    def set_exposed(self, block_id: str, name: str, value: Any) -> None:
        """Set a block's exposed parameter (its inner layer's), one undo step per name."""
        from neurocanvas.engine.blocks import exposed_values, set_exposed

        if exposed_values(self.graph.node(block_id)).get(name) == value:
            return
        self._push(
            f"Set {name}",
            lambda graph: set_exposed(graph, block_id, name, value),
            merge_key=("set_param", self.active_path, block_id, name),
        )

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Freeze or unfreeze a layer or block (one undo step)."""
        if self.graph.node(node_id).trainable == bool(trainable):
            return
        verb = "Unfreeze" if trainable else "Freeze"
        self._push(f"{verb} {node_id}", lambda graph: graph.set_trainable(node_id, trainable))
