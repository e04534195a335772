"""Tests of the Python package `resil` against the command line it shares its code with: the
flagship run, `score` and `classify` on the published worked examples the Rust tests use, and
errors. Run by .ci/run after `maturin develop` (RESIL_BIN: the resil binary to compare with;
the flagship's plugins must be built: `cargo xtask plugins`)."""
import json
import os
import subprocess
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import resil

ROOT = Path(__file__).resolve().parents[3]
BIN = os.environ.get("RESIL_BIN", str(ROOT / "target" / "debug" / "resil"))
FLAGSHIP = ROOT / "configs" / "border-cities.toml"
CASES = ROOT / "data" / "reference-cases"


def cli(*args, check=True):
    out = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def case(name):
    return json.loads((CASES / f"{name}.json").read_text())


def write_matrix(path, matrix):
    lines = ["id," + ",".join(f"C{j + 1}" for j in range(len(matrix[0])))]
    lines += [f"A{i + 1}," + ",".join(repr(float(v)) for v in row) for i, row in enumerate(matrix)]
    path.write_text("\n".join(lines) + "\n")


def test_run_gives_the_cli_files_to_the_byte(tmp_path):
    cli("run", FLAGSHIP, "--out", tmp_path / "cli")
    result = resil.run(FLAGSHIP, tmp_path / "py")
    for name in ["scores.csv", "weights.csv", "levels.csv", "breaks.json", "intermediates.csv", "manifest.json"]:
        assert result.files[name] == (tmp_path / "cli" / name).read_bytes(), name
        assert (tmp_path / "py" / name).read_bytes() == result.files[name], f"{name} as written"
    scores = result.scores
    assert isinstance(scores, pd.DataFrame) and len(scores) == 123
    # The DataFrame holds the CLI's numbers to the last bit.
    theirs = pd.read_csv(tmp_path / "cli" / "scores.csv", dtype={"unit": str}, **resil._EXACT)
    assert (scores["score"].to_numpy() == theirs["score"].to_numpy()).all()
    assert scores["unit"].iloc[0] == theirs["unit"].iloc[0]
    assert result.manifest["study"]["periods"] == [2010, 2015, 2020]
    assert result.breaks["groups"][0]["cuts"]
    assert "moran" in result.analyses and "regions_growth" in result.analyses
    assert set(["weights", "levels", "intermediates", "diagnostics"]) <= set(
        n for n in ["weights", "levels", "intermediates", "diagnostics"] if isinstance(getattr(result, n), pd.DataFrame))
    assert "contains-synthetic" in set(scores["data_status"])


def test_polars_backend_when_installed():
    pl = pytest.importorskip("polars")
    result = resil.run(FLAGSHIP, backend="polars")
    assert isinstance(result.scores, pl.DataFrame) and result.scores.height == 123


@pytest.mark.parametrize("method", ["topsis", "vikor", "edas", "mabac", "promethee2", "spotis", "gra"])
def test_score_equals_the_cli(tmp_path, method):
    matrix = case("lit_topsis_skcriteria_tzeng2011_vector")["matrix"]
    write_matrix(tmp_path / "m.csv", matrix)
    out = json.loads(cli("score", tmp_path / "m.csv", "--polarity=+,-,+", "--normalize", "minmax", "--weight",
                         "entropy", "--method", method, "--format", "json").stdout)
    got = resil.score(np.array(matrix, dtype=float), "+-+", normalize="minmax", weight="entropy", method=method)
    assert got.weights.tolist() == out["weights"]
    assert got.ranks.tolist() == out["ranks"]
    if method != "vikor":  # the CLI prints VIKOR's Q as its scores
        assert got.scores.tolist() == out["scores"]
    for name, values in got.extras.items():
        assert values.tolist() == out[name], name


def test_score_reproduces_a_published_worked_example():
    # Tzeng & Huang (2011), TOPSIS with vector normalisation and fixed weights
    # (data/reference-cases/lit_topsis_skcriteria_tzeng2011_vector.json).
    c = case("lit_topsis_skcriteria_tzeng2011_vector")
    frame = pd.DataFrame(c["matrix"], columns=["a", "b", "c"], index=["P1", "P2", "P3", "P4"])
    got = resil.score(frame, "+++", normalize="vector", weights=c["weights"], method="topsis")
    assert np.allclose(got.scores, c["expected"]["closeness"], atol=c["tolerance"]["abs"])
    assert list(got.table.index) == ["P1", "P2", "P3", "P4"] and got.criteria == ["a", "b", "c"]
    # Fortran-ordered and integer input give the same numbers.
    again = resil.score(np.asfortranarray(np.array(c["matrix"])), "+++", normalize="vector",
                        weights=c["weights"], method="topsis")
    assert again.scores.tolist() == got.scores.tolist()


def test_parameters_reach_their_stage(tmp_path):
    matrix = case("lit_topsis_skcriteria_tzeng2011_vector")["matrix"]
    write_matrix(tmp_path / "m.csv", matrix)
    out = json.loads(cli("score", tmp_path / "m.csv", "--polarity=+,+,+", "--method", "vikor", "--param", "v=0.3",
                         "--param", "floor=0.01", "--format", "json").stdout)
    got = resil.score(np.array(matrix, dtype=float), "+++", method="vikor", v=0.3, floor=0.01)
    assert got.scores.tolist() == out["Q"]


def test_classify_equals_the_cli(tmp_path):
    values = case("mapclassify_breaks")
    data = np.array(values["values"] if "values" in values else values["cases"][0]["values"], dtype=float)
    (tmp_path / "v.csv").write_text("value\n" + "\n".join(repr(float(v)) for v in data) + "\n")
    for method, k in [("jenks", 5), ("quantile", 4), ("maximum-breaks", 3)]:
        out = json.loads(cli("classify", tmp_path / "v.csv", "--method", method, "--k", k, "--format", "json").stdout)
        got = resil.classify(pd.Series(data), method=method, k=k)
        assert got.breaks.tolist() == out["breaks"] and got.classes.tolist() == out["classes"]
        assert got.gvf == out["gvf"] and got.cut_rule == out["cut_rule"]


def test_errors_raise_resil_error_with_the_cli_message(tmp_path):
    matrix = [[1.0, 2.0], [3.0, 5.0], [4.0, 1.0]]
    write_matrix(tmp_path / "m.csv", matrix)
    err = cli("score", tmp_path / "m.csv", "--method", "vikor", "--param", "rho=0.5", check=False).stderr
    with pytest.raises(resil.ResilError) as e:
        resil.score(np.array(matrix), "++", method="vikor", rho=0.5)
    assert str(e.value) in err and "vikor has no parameter `rho`" in str(e.value)
    assert isinstance(e.value, ValueError)
    missing = tmp_path / "missing.toml"
    err = cli("run", missing, check=False).stderr
    with pytest.raises(resil.ResilError) as e:
        resil.run(missing)
    assert str(e.value) in err
    with pytest.raises(resil.ResilError, match="not a finite number"):
        resil.score(np.array([[1.0, np.nan], [2.0, 3.0]]), "++")
    with pytest.raises(resil.ResilError, match="unknown stage"):
        resil.methods("nonsense")


def test_a_criterion_name_or_an_alternative_twice_is_refused():
    # Fixed weights go to criteria by name: over a, a they had become 0.5, 0.5.
    twice = pd.DataFrame([[1.0, 2.0], [3.0, 1.0]], columns=["a", "a"], index=["x", "y"])
    with pytest.raises(resil.ResilError, match="criteria: `a` names columns 0 and 1; rename or remove all but one"):
        resil.score(twice, "++", weights=[0.3, 0.7])
    unnamed = pd.DataFrame([[1.0, 2.0], [3.0, 1.0]], columns=["a", " "], index=["x", "y"])
    with pytest.raises(resil.ResilError, match="criteria: column 1 has no name"):
        resil.score(unnamed, "++")
    repeated = pd.DataFrame([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]], columns=["a", "b"], index=["x", "y", "x"])
    with pytest.raises(resil.ResilError, match="alternative `x` is on rows 0 and 2 of the index"):
        resil.score(repeated, "++")
    # Distinct labels score: the repeat was the only fault.
    assert len(resil.score(repeated.reset_index(drop=True), "++").scores) == 3


def test_methods_are_the_cli_catalogue():
    assert resil.methods() == json.loads(cli("methods", "--json").stdout)
    assert {m["name"] for m in resil.methods("rank")} >= {"topsis", "vikor", "promethee2"}


def test_the_gil_is_released_while_resil_computes():
    # Two threads each running the flagship finish; with the GIL held they would still finish,
    # so this checks that the calls are safe from threads, and that results agree.
    results = []
    threads = [threading.Thread(target=lambda: results.append(resil.run(FLAGSHIP).files["scores.csv"])) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]


def test_a_pipeline_swap_is_a_compare_variant(tmp_path):
    # The flagship's `critic-weights` variant, from Python: the same weights as `resil compare`.
    cli("compare", FLAGSHIP, "--out", tmp_path / "cmp")
    swapped = resil.run(FLAGSHIP, pipeline={"weight": {"method": "critic"}})
    own = resil.run(FLAGSHIP)
    assert swapped.manifest["pipeline"]["weight"]["method"] == "critic"
    assert not swapped.weights["weight"].equals(own.weights["weight"])
    units = pd.read_csv(tmp_path / "cmp" / "compare_units.csv", dtype={"unit": str})
    assert swapped.scores["rank"].tolist() == units["rank:critic-weights"].tolist()
    with pytest.raises(resil.ResilError, match="unknown method"):
        resil.run(FLAGSHIP, pipeline={"weight": {"method": "nonsense"}})


def test_the_python_guide_runs(tmp_path, monkeypatch):
    # Every ```python block of docs/python.md, in order, in one namespace, from the repository.
    pytest.importorskip("matplotlib")
    text = (ROOT / "docs" / "python.md").read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert len(blocks) >= 4
    monkeypatch.chdir(ROOT)
    namespace = {}
    for i, block in enumerate(blocks):
        exec(compile(block.replace('"ranks.png"', repr(str(tmp_path / "ranks.png"))), f"python.md block {i + 1}", "exec"),
             namespace)
    assert (tmp_path / "ranks.png").stat().st_size > 10_000
    assert namespace["moved"].max() > 0


def test_fixed_weights_with_another_weighting_or_a_weights_parameter_are_refused():
    matrix = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]])
    # weight="critic" was ignored when weights= was given; weights= overwrote weight__weights.
    with pytest.raises(resil.ResilError, match='weight="critic" asks for another; give one'):
        resil.score(matrix, "++", weight="critic", weights=[0.3, 0.7])
    with pytest.raises(resil.ResilError, match="weights= and the weights parameter both give the weights"):
        resil.score(matrix, "++", weights=[0.3, 0.7], weight__weights={"C1": 1.0})
    fixed = resil.score(matrix, "++", weight="fixed", weights=[0.3, 0.7])
    assert list(fixed.weights) == [0.3, 0.7]
    assert list(resil.score(matrix, "++", weights=[0.3, 0.7]).scores) == list(fixed.scores)


def test_a_pipeline_override_is_held_to_the_pipelines_rules():
    # An empty normalisation chain was scored unnormalised.
    with pytest.raises(resil.ResilError, match="`pipeline.normalize`: at least one normalisation step is needed"):
        resil.run(ROOT / "configs" / "hdi.toml", pipeline={"normalize": []})
    # A misspelt stage had been ignored: the "swap" ran as the config itself.
    with pytest.raises(resil.ResilError, match=r"`pipeline`: unknown key `wieght`: it sets nothing \(stages: impute,"):
        resil.run(ROOT / "configs" / "hdi.toml", pipeline={"wieght": {"method": "critic"}})
    # A key that is not a string had raised a bare TypeError.
    with pytest.raises(resil.ResilError, match="key 1: dict keys must be strings"):
        resil.run(ROOT / "configs" / "hdi.toml", pipeline={"weight": {1: "critic"}})
