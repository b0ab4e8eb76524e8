"""Data files round-trip (hypothesis): a table or arrays written to CSV/TSV/npz and loaded back give
the same numbers, the same classes and the same labels row by row."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neurocanvas.engine.data import load_dataset

_cells = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32).map(
    lambda v: round(v, 3)
)


@st.composite
def tables(draw):
    rows = draw(st.integers(8, 30))
    columns = draw(st.integers(1, 5))
    values = draw(
        st.lists(st.lists(_cells, min_size=columns, max_size=columns), min_size=rows, max_size=rows)
    )
    classes = draw(
        st.lists(
            st.sampled_from(["cat", "dog", "bird", "fish"]), min_size=2, max_size=4, unique=True
        )
    )
    labels = [classes[i % len(classes)] for i in range(rows)]  # every class at least twice
    draw(st.randoms()).shuffle(labels)
    return np.array(values, dtype=np.float64), labels


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=tables(), separator=st.sampled_from([",", ";", "\t"]))
def test_a_written_table_loads_back_the_same(tmp_path, table, separator):
    values, labels = table
    names = [f"f{i}" for i in range(values.shape[1])]
    lines = [separator.join([*names, "label"])]
    lines += [
        separator.join([*(repr(float(v)) for v in row), label])
        for row, label in zip(values, labels)
    ]
    path = tmp_path / ("t.tsv" if separator == "\t" else "t.csv")
    path.write_text("\n".join(lines) + "\n")
    ds = load_dataset({"source": str(path), "target": "label"})
    assert ds.info.feature_names == names
    np.testing.assert_allclose(ds.x.numpy(), values, rtol=1e-6, atol=1e-3)
    assert sorted(ds.info.class_names) == sorted(set(labels))
    assert [ds.info.class_names[i] for i in ds.y.tolist()] == labels


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.integers(4, 40),
    features=st.integers(1, 6),
    classes=st.integers(2, 5),
    seed=st.integers(0, 2**31),
)
def test_npz_arrays_load_back_the_same(tmp_path, rows, features, classes, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features)).astype(np.float32)
    y = np.arange(rows) % classes
    np.savez(tmp_path / "d.npz", x=x, y=y)
    ds = load_dataset(str(tmp_path / "d.npz"))
    np.testing.assert_array_equal(ds.x.numpy(), x)
    assert ds.y.tolist() == y.tolist()
