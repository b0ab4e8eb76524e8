"""A conditional GAN's class label (Mirza & Osindero 2014): both networks get the class, one-hot.

Each graph marks its label input as an Input with `noise: "class"` whose shape is the number of
classes; the GAN step then feeds the real samples' classes to the discriminator with the real
samples, and random classes to the generator and, with its samples, to the discriminator. The
generator's other Input (noise normal/uniform) is the latent code, the discriminator's other
Input the sample.

    condition = conditioning(generator_graph, discriminator_graph, data)  # None: unconditional
    fake = feed(generator, {condition.generator_input: one_hot, code_id: z})
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..graph import Graph
from .run_events import TrainingError

CLASS = "class"


def class_input(graph: Graph, name: str) -> tuple[str, int] | None:
    """(node id, classes) of `graph`'s class-label Input, or None; TrainingError for a bad one."""
    labels = [n for n in graph if n.type == "Input" and n.params.get("noise") == CLASS]
    if not labels:
        return None
    if len(labels) > 1:
        raise TrainingError(f"the {name} has {len(labels)} class-label Inputs; give it one")
    shape = labels[0].params.get("shape")
    if not (isinstance(shape, (list, tuple)) and len(shape) == 1 and int(shape[0]) >= 2):
        raise TrainingError(
            f"the {name}'s class-label Input {labels[0].id} needs the number of classes as its "
            f"shape (such as 10), not {shape!r}"
        )
    return labels[0].id, int(shape[0])


@dataclass(frozen=True)
class Condition:
    generator_input: str  # node id of the generator's class Input
    discriminator_input: str
    classes: int

    def one_hot(self, labels: torch.Tensor) -> torch.Tensor:
        return F.one_hot(labels.long().reshape(-1), self.classes).float()

    def random_labels(self, n: int, device, generator: torch.Generator | None = None):
        return torch.randint(0, self.classes, (n,), device=device, generator=generator)


def conditioning(
    generator: Graph, discriminator: Graph, num_classes: int | None
) -> Condition | None:
    """The run's Condition when the generator has a class Input (then the discriminator and the
    data must have the same classes), else None."""
    made, judged = class_input(generator, "generator"), class_input(discriminator, "discriminator")
    if made is None and judged is None:
        return None
    if made is None or judged is None:
        missing = "generator" if made is None else "discriminator"
        raise TrainingError(
            f"a conditional GAN gives both networks the class: the {missing} has no Input with "
            "noise set to class (its shape the number of classes)"
        )
    if made[1] != judged[1]:
        raise TrainingError(
            f"the generator's class Input has {made[1]} classes, the discriminator's {judged[1]}"
        )
    if num_classes is not None and num_classes != made[1]:
        raise TrainingError(
            f"the class Inputs have {made[1]} classes, but the data has {num_classes or 'no'} "
            "classes; a conditional GAN trains on labelled data (a classification set)"
        )
    return Condition(made[0], judged[0], made[1])


def feed(model, values: dict[str, torch.Tensor]) -> torch.Tensor:
    """`model` run on its inputs by node id (a compiled graph's placeholders are its Input ids;
    a model of one input takes the one value whatever its id)."""
    names = [str(n.target) for n in model.graph.nodes if n.op == "placeholder"]
    if len(names) == 1 and len(values) == 1:
        return model(next(iter(values.values())))
    return model(*[values[name] for name in names])
