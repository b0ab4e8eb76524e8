"""The data settings as `SettingSpec`s: `DataConfig` and the loaders check values from them, and
hostile project-file values are refused with one `DataError` naming the field."""

from __future__ import annotations

from dataclasses import MISSING, fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neurocanvas.engine.cli import main
from neurocanvas.engine.data import DataConfig, DataError, load_dataset, make_synthetic
from neurocanvas.engine.data.settings import CSV_SETTINGS, DATA_SETTINGS, PARAMS, params_for
from neurocanvas.engine.data.tabular import load_csv
from neurocanvas.engine.project import Project, save
from neurocanvas.engine.templates import load_project_or_template

CSV_TEXT = "id,a,colour,y\n1,0.5,red,0\n2,1.5,blue,1\n3,2.5,red,0\n4,3.5,blue,1\n"


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(CSV_TEXT)
    return path


def test_the_config_fields_are_the_declared_settings_with_their_defaults():
    declared = {spec.name: spec.default for spec in DATA_SETTINGS}
    defaults = {
        f.name: (f.default_factory() if f.default is MISSING else f.default)
        for f in fields(DataConfig)
        if f.name != "params"
    }
    assert defaults == declared


@pytest.mark.parametrize(
    "spec",
    [spec for specs in (DATA_SETTINGS, *PARAMS.values()) for spec in specs],
    ids=lambda spec: spec.name,
)
def test_every_setting_is_described_and_accepts_its_default(spec):
    assert spec.label and spec.help
    default = spec.coerce(spec.default)
    assert default == spec.default or tuple(default) == tuple(spec.default)


@pytest.mark.parametrize(
    "data, words",
    [
        ({"source": "t.csv", "params": {"delimiter": 9}}, "params delimiter must be one character"),
        ({"source": "t.csv", "params": {"delimiter": ";;"}}, "params delimiter must be one"),
        ({"source": "t.csv", "params": {"encoding": "klingon"}}, "params encoding must be a text"),
        ({"source": "t.csv", "params": {"encoding": "base64"}}, "params encoding must be a text"),
        ({"source": "t.csv", "params": {"ignore": 2.5}}, "params ignore must be a list"),
        ({"source": "t.csv", "params": {"max_onehot": "x"}}, "params max_onehot must be a whole"),
        ({"source": "t.csv", "target": 1.5}, "data target must be a column name"),
        ({"source": ".", "params": {"size": [1]}}, "params size must be a side or"),
        ({"source": ".", "params": {"size": "a"}}, "params size must be a side or"),
        ({"source": ".", "params": {"size": [28, 0]}}, "params size must be at least 1"),
        ({"source": "xor", "params": [["n", 3]]}, "'params' must be a mapping"),
        ({"source": "xor", "params": {"n": 10**12}}, "params n must be at most"),
        ({"source": "xor", "params": {"noise": "lots"}}, "params noise must be a number"),
        ({"source": "blobs", "params": {"classes": 1}}, "params classes must be at least 2"),
        ({"source": "regression-plane", "params": {"coef": 2}}, "params coef must be two numbers"),
        ({"source": "xor", "seed": 2**63}, "data seed must be at most"),
        ({"source": "xor", "seed": -1}, "data seed must be at least 0"),
        ({"source": "xor", "split": "most"}, "data split must be fractions"),
        ({"source": "xor", "augment": "flip"}, "data augment must be a list"),
        ({"source": "xor", "normalize": "maybe"}, "data normalize must be true or false"),
        ({"source": 7}, "data source must be a path or a data set name"),
    ],
)
def test_hostile_values_are_refused_naming_the_field(data, words):
    with pytest.raises(DataError, match=words) as caught:
        DataConfig.from_dict(data)
    assert "\n" not in str(caught.value)


def test_the_loaders_check_their_params_too(csv_file):
    # Called directly (the GUI's preview does), not only through a DataConfig.
    with pytest.raises(DataError, match="max_onehot"):
        load_csv(csv_file, params={"max_onehot": "x"})
    with pytest.raises(DataError, match="ignore must be a list"):
        load_csv(csv_file, params={"ignore": 2.5})
    with pytest.raises(DataError, match="n must be at most"):
        make_synthetic("moons", {"n": 10**9})
    loaded = load_csv(csv_file, params={"ignore": ["id"], "max_onehot": "0", "delimiter": ","})
    assert loaded.info.feature_names == ["a", "colour"]  # "0" read as 0: colour numbered


def test_the_cli_exits_with_2_naming_the_field(tmp_path, capsys):
    project = load_project_or_template("xor")
    bad = Project(name="bad", graph=project.graph, data={"source": "xor", "params": {"n": 10**10}})
    save(bad, tmp_path / "bad.json")
    assert main(["train", str(tmp_path / "bad.json"), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "params n must be at most" in err and "Traceback" not in err


HOSTILE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
    | st.sampled_from(["utf-8", "base64", "rot13", ",", "\n", "id", "y", "flip"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=5,
)
TOP_KEYS = [spec.name for spec in DATA_SETTINGS if spec.name != "source"]
PARAM_KEYS = sorted({spec.name for specs in PARAMS.values() for spec in specs})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(["xor", "blobs", "regression-plane", "mnist", "t.csv", "."]) | HOSTILE,
    top=st.dictionaries(st.sampled_from(TOP_KEYS), HOSTILE, max_size=3),
    params=st.dictionaries(st.sampled_from(PARAM_KEYS), HOSTILE, max_size=3) | HOSTILE,
)
def test_hostile_data_sections_raise_only_data_errors(source, top, params):
    try:
        config = DataConfig.from_dict({"source": source, "params": params, **top})
    except DataError as error:
        assert str(error) and "\n" not in str(error).strip()
        return
    assert DataConfig.from_dict(config.to_dict()) == config


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=st.dictionaries(st.sampled_from([s.name for s in CSV_SETTINGS]), HOSTILE, max_size=3))
def test_hostile_csv_params_raise_only_data_errors(csv_file, params):
    try:
        dataset = load_dataset({"source": str(csv_file), "params": params})
    except DataError as error:
        assert str(error)
        return
    assert len(dataset) == 4


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(["xor", "spirals", "blobs", "regression-plane"]),
    params=st.dictionaries(st.sampled_from(["n", "noise", "classes", "turns", "spread"]), HOSTILE),
)
def test_hostile_synthetic_params_raise_only_data_errors(name, params):
    allowed = {spec.name for spec in params_for(name)}
    params = {k: v for k, v in params.items() if k in allowed}
    if isinstance(params.get("n"), int) and not isinstance(params["n"], bool):
        params["n"] = min(params["n"], 2000)  # keep generation quick; huge n is tested above
    try:
        dataset = make_synthetic(name, params)
    except DataError as error:
        assert str(error)
        return
    assert len(dataset) == params.get("n", 500)
