"""The CLI keeps the README's promises (issue 19, item 7): usage errors exit 2, errors carry one
`error:` prefix, counts read naturally, huge integers stay exact."""

import json
from pathlib import Path

import pytest

from psynth_cli.main import main

ONE = "dataset d {\n    samples 1\n    camera.fstop ~ loguniform(1.4, 16)\n}\n"


@pytest.fixture
def one(tmp_path):
    path = tmp_path / "one.psynth"
    path.write_text(ONE)
    return str(path)


@pytest.mark.parametrize("argv, words", [
    (["sample", "{spec}", "--shard", "0", "--format", "parquet"], "--format parquet needs --out"),
    (["sample", "{spec}", "--shard", "0", "--limit", "-3"], "--limit must be >= 0, got -3"),
    (["render", "{spec}", "--sample", "5"], "--sample needs --out"),
    (["render", "{spec}", "--shard", "0", "--out", "x.png"], "--out goes with --sample"),
    (["verify", "{spec}", "--threads", "0"], "--threads must be >= 1"),
])
def test_usage_errors_exit_2(one, capsys, argv, words):
    assert main([a.replace("{spec}", one) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"psynth {argv[0]}: error: ") and words in err


def test_spec_errors_have_one_error_prefix(tmp_path, capsys):
    bad = tmp_path / "bad.psynth"
    bad.write_text("dataset d {\n    samples 10\n    camera.fstp ~ loguniform(1.4, 16)\n}\n")
    for command in (["plan", str(bad)], ["sample", str(bad), "--shard", "0"], ["check", str(bad)]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"{bad}:3:5: error: unknown axis 'camera.fstp'"), err
        assert all(line.count("error:") <= 1 for line in err.splitlines())


def test_counts_read_naturally(one, capsys):
    assert main(["check", one]) == 0
    out = capsys.readouterr().out
    assert "1 sample in 1 shard (fewer samples than the shard size 1,000), 1 partition of 1 shard" in out
    assert "1 axis stated: camera.fstop" in out
    assert main(["plan", one]) == 0
    assert "1 sample in 1 shard (fewer samples than the shard size 1,000)" in capsys.readouterr().out


def test_huge_sample_counts_stay_exact(tmp_path, capsys):
    samples = 123456789012345678901234567890123
    path = tmp_path / "huge.psynth"
    path.write_text(f"dataset d {{\n    samples {samples}\n    shard_size 7\n}}\n")
    assert main(["check", str(path)]) == 1
    shards = -(-samples // 7)
    assert float(shards) != shards  # a float would have printed another number
    assert f"{shards:,} shards need more than" in capsys.readouterr().err


IOR = """dataset ior_demo {
    samples 1000
    material       ~ one_of { metal.gold: 1, glass.clear: 1, plastic.glossy: 1 }
    material.ior   ~ uniform(1.4, 1.9) when material in glass
    camera.angle   ~ one_of { eye_level: 3, high_angle: 1 }
    require material.ior > 1.8
}
"""


def test_a_require_that_removes_whole_values_of_another_axis_is_warned_about(tmp_path, capsys):
    path = tmp_path / "ior.psynth"
    path.write_text(IOR)
    assert main(["check", str(path)]) == 0  # a warning, not an error
    err = capsys.readouterr().err
    assert f"{path}:6: warning: this require removes every sample with material metal.gold, plastic.glossy" in err
    assert "material.ior is never set for them" in err and "camera.angle" not in err
    assert main(["check", "--json", str(path)]) == 0
    (warning,) = json.loads(capsys.readouterr().out)["warnings"]
    assert warning["line"] == 6 and warning["code"] == "require-removes-values"
    path.write_text(IOR.replace("require material.ior > 1.8", "require material.ior > 1.8 when material in glass"))
    assert main(["check", str(path)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_the_example_specs_get_no_warnings(capsys):
    specs = sorted(str(p) for p in (Path(__file__).parent.parent / "specs").glob("*.psynth"))
    assert main(["check", *specs]) == 0
    assert "warning" not in capsys.readouterr().err
