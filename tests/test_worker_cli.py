"""`psynth render`: a shard into the data-contract layout, and one sample for a quick look."""

import json
import subprocess
from pathlib import Path

import polars as pl
import pytest

from psynth_data.layout import Layout
from psynth_data.manifest import is_complete
from psynth_data.storage import LocalStorage
from psynth_spec.compile import load_spec
from tests.worker_specs import png_array

pytestmark = pytest.mark.render

PSYNTH = str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "psynth")

SPEC = """dataset cli_tiny {
    samples    5
    shard_size 3
    seed       2
    outputs    [image, caption, metadata]
    geometry.shape ~ one_of [primitives.cube, primitives.cone]
    caption "a {geometry.shape}"
    render {
        engine     workbench
        device     cpu
        resolution 32 x 24
        samples    1
    }
}
"""


def _psynth(*args, env=None, cwd=None):
    return subprocess.run([PSYNTH, *args], capture_output=True, text=True, timeout=180, env=env, cwd=cwd)


def test_render_shard_writes_the_data_contract_layout(tmp_path):
    spec_file = tmp_path / "cli_tiny.psynth"
    spec_file.write_text(SPEC)
    root = tmp_path / "out"
    done = _psynth("render", str(spec_file), "--shard", "1", "--root", str(root))
    assert done.returncode == 0, done.stderr[-3000:]
    spec = load_spec(spec_file)
    layout = Layout.for_spec(spec)
    assert is_complete(LocalStorage(root), layout, 1)
    samples = pl.read_parquet(root / layout.samples_key(1))
    assert samples["sample_id"].to_list() == [3, 4]  # the short last shard
    manifest = json.loads((root / layout.manifest_key(1)).read_text())
    assert manifest["counts"] == {"samples": 2, "rendered": 2, "failed": 0}
    assert {o["key"] for o in manifest["objects"]} == {layout.samples_key(1), layout.render_key(1), layout.qc_key(1)}
    log = (root / layout.log_key(1)).read_text()
    assert "Saved:" in log and "shard 1 complete" not in log  # Blender's output; a snapshot before the end
    assert "2 samples rendered, 0 failed" in done.stdout
    assert not (root / layout.prefix / "_work").exists()  # scratch removed


def test_render_one_sample_for_a_quick_look(tmp_path):
    spec_file = tmp_path / "cli_tiny.psynth"
    spec_file.write_text(SPEC)
    out = tmp_path / "look.png"
    done = _psynth("render", str(spec_file), "--sample", "4", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    assert png_array(out.read_bytes()).shape == (24, 32, 3)
    assert done.stdout.startswith(f"{out}: sample 4 (a ")
    assert not (tmp_path / "data").exists()  # a quick look stores nothing


def test_bad_shard_is_a_clear_error(tmp_path):
    spec_file = tmp_path / "cli_tiny.psynth"
    spec_file.write_text(SPEC)
    done = _psynth("render", str(spec_file), "--shard", "7", "--root", str(tmp_path))
    assert done.returncode == 1
    assert "shard 7 out of range 0..1" in done.stderr and "Traceback" not in done.stderr
