"""The data sets shipped in resources/datasets (the sequence and text templates train on them)."""

from neurocanvas.engine.data import DataConfig, load_dataset
from neurocanvas.engine.data.config import packaged_path, source_kind


def test_gunpoint_comes_with_its_own_test_file():
    ds = load_dataset(DataConfig(source="gunpoint"))
    assert tuple(ds.x.shape) == (50, 1, 150) and ds.info.class_names == ["1", "2"]
    assert ds.test is not None and tuple(ds.test.x.shape) == (150, 1, 150)
    assert any("GunPoint_TEST.ts" in line for line in ds.report)


def test_own_test_off_leaves_the_test_file_out():
    ds = load_dataset(DataConfig(source="gunpoint", use_own_test=False))
    assert ds.test is None and len(ds) == 50


def test_a_given_test_file_wins_over_the_packaged_one(tmp_path):
    test = packaged_path("gunpoint", test=True)
    lines = test.read_text().splitlines()
    head = [line for line in lines if line.startswith(("#", "@"))]
    rows = [line for line in lines if line and not line.startswith(("#", "@"))][:7]
    small = tmp_path / "small_TEST.ts"
    small.write_text("\n".join(head + rows) + "\n")
    ds = load_dataset(DataConfig(source="gunpoint", test_source=str(small)))
    assert len(ds.test) == 7


def test_airline_and_drug_reviews_read_like_their_files():
    series = load_dataset(
        DataConfig(source="airline", params={"layout": "series", "window": 12, "horizon": 1})
    )
    assert tuple(series.x.shape) == (132, 1, 12) and series.times[0] == "1949-01"
    texts = load_dataset(
        DataConfig(source="drug_reviews", target="rating", params={"layout": "text"})
    )
    assert len(texts.texts) == 600 and len(texts.test.texts) == 379
    assert sorted(texts.info.class_names) == ["negative", "neutral", "positive"]
    assert source_kind("gunpoint") == "ts" and source_kind("drug-reviews") == "csv"
