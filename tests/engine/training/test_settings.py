"""The training settings as `SettingSpec`s: the one optimizer table, `TrainConfig` validated from
the specs, and hostile project-file values refused with a message naming the field."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neurocanvas.engine.cli import main
from neurocanvas.engine.project import Project, save
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import ConfigError, OptimizerConfig, TrainConfig
from neurocanvas.engine.training.settings import (
    OPTIMIZERS,
    SCHEDULE_OPTIONS,
    SECTIONS,
    SettingSpec,
    build_optimizer,
    spec_for,
)

ALL_SPECS = [
    (section, spec)
    for section, specs in [*SECTIONS.items(), *SCHEDULE_OPTIONS.items()]
    for spec in specs
]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_in_the_table_builds_and_descends(name):
    kind = OPTIMIZERS[name]
    options = {"momentum": 0.5} if "momentum" in kind.takes else {}
    config = TrainConfig.from_dict({"optimizer": {"type": name.lower(), "lr": 0.1, **options}})
    assert config.optimizer.type == name  # spelled as in the table, whatever the case given
    weight = torch.nn.Parameter(torch.tensor([3.0, -2.0]))
    optimizer = build_optimizer([weight], config.optimizer)
    assert type(optimizer) is kind.torch_class
    group = optimizer.param_groups[0]
    assert group["lr"] == 0.1
    if options:
        assert group["momentum"] == 0.5
    start = float(weight.detach().pow(2).sum())
    for _ in range(20):
        optimizer.zero_grad()
        weight.pow(2).sum().backward()
        optimizer.step()
    assert float(weight.detach().pow(2).sum()) < start


@pytest.mark.parametrize("name", [n for n in OPTIMIZERS if "momentum" not in OPTIMIZERS[n].takes])
def test_an_optimizer_gets_only_the_settings_it_takes(name):
    # Adam has no momentum: the table keeps the setting from reaching it (torch would refuse it).
    config = OptimizerConfig(type=name, momentum=0.9)
    optimizer = build_optimizer([torch.nn.Parameter(torch.zeros(1))], config)
    assert "momentum" not in optimizer.param_groups[0]


def test_the_config_fields_are_the_declared_settings_with_their_defaults():
    nested = {"optimizer", "schedule", "early_stopping", "gan", "graphs", "rbm"}
    declared = {spec.name: spec.default for spec in SECTIONS["training"]}
    config_fields = {f.name: f.default for f in fields(TrainConfig) if f.name not in nested}
    assert config_fields == declared
    assert TrainConfig().gan == {spec.name: spec.default for spec in SECTIONS["gan"]}
    assert TrainConfig().rbm == {spec.name: spec.default for spec in SECTIONS["rbm"]}
    optimizer = {spec.name: spec.default for spec in SECTIONS["optimizer"]}
    assert {f.name: f.default for f in fields(OptimizerConfig)} == optimizer


@pytest.mark.parametrize(("section", "spec"), ALL_SPECS, ids=lambda v: getattr(v, "name", v))
def test_every_setting_is_described_and_accepts_its_default(section, spec):
    assert isinstance(spec, SettingSpec) and spec.label and spec.help
    assert spec.coerce(spec.default) == spec.default
    if spec.kind == "choice":
        assert spec.default in spec.choices or spec.optional


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"optimizer": "adam"}, "optimizer must be an object"),
        ({"optimizer": {"lr": math.inf}}, "optimizer lr must be a finite number"),
        ({"optimizer": {"lr": math.nan}}, "optimizer lr must be a finite number"),
        ({"optimizer": {"lr": -0.1}}, "optimizer lr must be greater than 0"),
        ({"optimizer": {"lr": 0}}, "optimizer lr must be greater than 0"),
        ({"optimizer": {"type": "SGD", "momentum": 1e30}}, "optimizer momentum must be at most 1"),
        ({"schedule": {"type": "one_cycle", "max_lr": -1}}, "one_cycle schedule max_lr"),
        ({"schedule": {"type": "step", "gamma": "x"}}, "step schedule gamma must be a number"),
        ({"schedule": {"type": "cosine", "step_size": 2}}, "unknown cosine schedule setting"),
        ({"schedule": ["step"]}, "schedule must be an object"),
        ({"seed": 2**63}, "seed must be at most"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"epochs": "10"}, "epochs must be a whole number"),
        ({"batch_size": True}, "batch_size must be a whole number"),
        ({"grad_clip": 0}, "grad_clip must be greater than 0"),
        ({"device": "gpu"}, "device must be"),
        ({"amp": "yes"}, "amp must be auto, true or false"),
        ({"monitor": "val_happiness"}, "monitor must be one of"),
        ({"early_stopping": {"min_delta": -1}}, "early_stopping min_delta"),
        ({"early_stopping": {"patience": 2.5}}, "early_stopping patience"),
    ],
)
def test_hostile_values_are_refused_naming_the_field(bad, words):
    with pytest.raises(ConfigError, match=words) as caught:
        TrainConfig.from_dict(bad)
    assert "\n" not in str(caught.value)


def test_accepted_values_are_stored_typed():
    config = TrainConfig.from_dict(
        {
            "optimizer": {"type": "sgd", "lr": 1, "momentum": 0.9, "nesterov": 1},
            "schedule": {"type": "onecycle", "max_lr": 1},
            "grad_clip": 2,
            "amp": False,
            "device": "cuda:1",
        }
    )
    assert config.optimizer.lr == 1.0 and isinstance(config.optimizer.lr, float)
    assert config.optimizer.nesterov is True
    assert config.schedule == {"type": "one_cycle", "max_lr": 1.0}
    assert config.grad_clip == 2.0 and config.amp is False and config.device == "cuda:1"
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_spec_for_finds_schedule_options():
    assert spec_for("schedule", "gamma", "step").default == 0.1
    assert spec_for("optimizer", "lr").label == "learning rate"
    with pytest.raises(KeyError):
        spec_for("schedule", "gamma", "cosine")


def test_the_cli_exits_with_2_naming_the_field(tmp_path, capsys):
    project = load_project_or_template("xor")
    bad = Project(
        name="bad",
        graph=project.graph,
        data=project.data,
        training={"optimizer": {"type": "SGD", "lr": -1}},
    )
    save(bad, tmp_path / "bad.json")
    assert main(["train", str(tmp_path / "bad.json"), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "optimizer lr must be greater than 0" in err and "Traceback" not in err


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
KEYS = [spec.name for spec in SECTIONS["training"]]
SCHEDULE_KEYS = sorted({spec.name for specs in SCHEDULE_OPTIONS.values() for spec in specs})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    top=st.dictionaries(st.sampled_from(KEYS), JSON, max_size=4),
    optimizer=st.one_of(
        JSON, st.dictionaries(st.sampled_from([s.name for s in SECTIONS["optimizer"]]), JSON)
    ),
    schedule=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"type": st.sampled_from(list(SCHEDULE_OPTIONS)) | JSON},
            optional={key: JSON for key in SCHEDULE_KEYS},
        ),
    ),
    early=st.one_of(JSON, st.dictionaries(st.sampled_from(["monitor", "patience"]), JSON)),
)
def test_hostile_settings_raise_only_config_errors(top, optimizer, schedule, early):
    data = {**top, "optimizer": optimizer, "schedule": schedule, "early_stopping": early}
    try:
        config = TrainConfig.from_dict(data)
    except ConfigError as error:
        assert str(error) and "\n" not in str(error)
        return
    # What is accepted is typed and stable: it reads back as itself.
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert math.isfinite(config.optimizer.lr) and config.optimizer.lr > 0


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_amsgrad_reaches_the_optimizers_that_take_it(name):
    config = OptimizerConfig(type=name, amsgrad=True)
    group = build_optimizer([torch.nn.Parameter(torch.zeros(1))], config).param_groups[0]
    assert group.get("amsgrad", False) is ("amsgrad" in OPTIMIZERS[name].takes)
    assert ("amsgrad" in OPTIMIZERS[name].takes) == (name in ("Adam", "AdamW"))
