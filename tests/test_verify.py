"""`psynth verify DATASET [--repair]` and the render command's answers for complete and
mismatching shards (issue 19, items 4 and 7)."""

import hashlib
import json

import pytest

from psynth_cli.main import main
from psynth_data.layout import Layout
from psynth_data.storage import LocalStorage
from psynth_data.verify import verify_dataset
from psynth_spec.compile import load_spec

pytestmark = pytest.mark.render

SPEC = """dataset verify_me {
    samples    4
    shard_size 2
    seed       5
    geometry.shape ~ one_of [primitives.sphere, primitives.cube]
    caption "{geometry.shape|a}"
    render {
        engine     workbench
        device     cpu
        resolution 32 x 32
    }
}
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Both shards of a tiny spec, rendered once."""
    folder = tmp_path_factory.mktemp("verify")
    spec_file = folder / "verify_me.psynth"
    spec_file.write_text(SPEC)
    root = folder / "data"
    for shard in (0, 1):
        assert main(["render", str(spec_file), "--shard", str(shard), "--root", str(root), "--quiet"]) == 0
    spec = load_spec(spec_file)
    return spec_file, root, spec, Layout.for_spec(spec)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_verify_finds_mismatches_and_missing_objects_by_shard_and_repair_rerenders_them(rendered, capsys):
    spec_file, root, spec, layout = rendered
    store = LocalStorage(root)
    version = root / layout.prefix
    assert main(["verify", str(version)]) == 0
    assert "2 shards" in capsys.readouterr().out

    tar = store.path(layout.render_key(0))
    original = _sha(tar)
    data = bytearray(tar.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other bytes
    tar.write_bytes(bytes(data))
    store.path(layout.qc_key(1)).unlink()

    checks = {c.shard: c for c in verify_dataset(store, layout, threads=4)}
    assert [(p.key, p.kind) for p in checks[0].problems] == [(layout.render_key(0), "sha256")]
    assert [(p.key, p.kind) for p in checks[1].problems] == [(layout.qc_key(1), "missing")]

    assert main(["verify", str(version), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report["bad_shards"]) == {"0", "1"} and report["shards"] == 2

    assert main(["verify", str(version)]) == 1
    out = capsys.readouterr().out
    assert f"{layout.render_key(0)}: sha256" in out and f"{layout.qc_key(1)}: missing" in out

    assert main(["verify", str(version), "--repair", "--spec", str(spec_file)]) == 0
    err = capsys.readouterr().err
    assert "shard 0:" in err and "re-rendering, its objects will be replaced" in err
    assert err.index("re-rendering") < err.index("shard 0: repaired")
    assert "shard 1: repaired" in err
    assert _sha(tar) == original  # renders are byte-identical: the repaired tar is the original
    assert main(["verify", str(version)]) == 0


def test_render_says_a_complete_shard_is_already_complete_and_a_mismatch_before_replacing(rendered, capsys):
    spec_file, root, spec, layout = rendered
    args = ["render", str(spec_file), "--shard", "1", "--root", str(root), "--quiet"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "already complete (manifest matches): 2 samples rendered" in out
    store = LocalStorage(root)
    tar = store.path(layout.render_key(1))
    original = _sha(tar)
    tar.write_bytes(tar.read_bytes()[:-512])
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "shard 1 does not match its manifest" in captured.err and "size" in captured.err
    assert "2 samples rendered" in captured.out and _sha(tar) == original
