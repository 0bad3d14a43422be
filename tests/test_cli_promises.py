"""The CLI keeps the README's promises (issue 19, item 7): usage errors exit 2, errors carry one
`error:` prefix, counts read naturally, huge integers stay exact."""

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
