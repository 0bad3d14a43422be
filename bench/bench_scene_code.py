"""Bytes per sample of the `py` member, before (the whole builder inlined) and after (compact).

    .venv/bin/python bench/bench_scene_code.py [--rows 20] [--before 3ac5982]

For the first `--rows` samples of every shipped spec it writes each sample's script both ways
and prints, per spec, the median bytes and lines of the old script (psynth_render/scene_code.py
at git commit `--before`, the last with the inlined builder, run on today's builder source and
scene) and of the compact one, the helper module's size (shipped once per shard) and its share
per sample at the spec's shard size, and the median fraction of text two scripts of the spec
share (difflib, between the fixed header and footer).
"""

import argparse
import difflib
import itertools
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psynth_render.scene import builder_source  # noqa: E402
from psynth_render.scene.describe import describe  # noqa: E402
from psynth_render.scene_code import helper_module, scene_script, script_body  # noqa: E402
from psynth_spec.compile import load_spec  # noqa: E402
from psynth_spec.sampler import sample_shard  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402


def old_scene_script(commit: str):
    """`scene_script(builder_source, description, sample)` as it was at `commit`."""
    text = subprocess.run(["git", "show", f"{commit}:psynth_render/scene_code.py"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    namespace: dict = {"__name__": "old_scene_code"}
    exec(compile(text, "old_scene_code.py", "exec"), namespace)  # noqa: S102 - the project's own old module
    return namespace["scene_script"]


def shared_fraction(a: str, b: str) -> float:
    """The share of `a`'s own text (between the fixed header and footer) that `b` has too."""
    la, lb = script_body(a).splitlines(), script_body(b).splitlines()
    matcher = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    same = sum(len(line) + 1 for blk in matcher.get_matching_blocks() for line in la[blk.a: blk.a + blk.size])
    return same / len("\n".join(la))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--before", default="3ac5982")
    args = parser.parse_args()
    old = old_scene_script(args.before)
    library = builder_source()
    helper = len(helper_module().encode())
    tax = default_taxonomy()
    print(f"helper module __psynth_scene__: {helper:,} bytes, once per shard")
    print(f"{'spec':18} {'old bytes':>10} {'old lines':>9} {'new bytes':>9} {'new lines':>9} {'ratio':>6} "
          f"{'helper/sample':>13} {'shared':>6}")
    for path in sorted((ROOT / "specs").glob("*.psynth")):
        spec = load_spec(path)
        before, after = [], []
        for row in sample_shard(spec, 0, limit=args.rows).to_dicts():
            desc = describe(row, spec, tax)
            sample = {"sample_id": row["sample_id"], "dataset": spec.dataset, "version_id": spec.version_id,
                      "captions": {c: row.get(c) for c in spec.caption_columns},
                      "image_name": f"{row['sample_id']:09d}.{spec.render.format}"}
            before.append(old(library, desc, sample))
            after.append(scene_script(desc, sample))
        ob = statistics.median(len(s.encode()) for s in before)
        nb = statistics.median(len(s.encode()) for s in after)
        shared = statistics.median(shared_fraction(a, b) for a, b in itertools.combinations(after, 2))
        print(f"{path.stem:18} {ob:>10,.0f} {statistics.median(s.count(chr(10)) for s in before):>9.0f} "
              f"{nb:>9,.0f} {statistics.median(s.count(chr(10)) for s in after):>9.0f} {ob / nb:>6.1f} "
              f"{helper / min(spec.shard_size, spec.samples):>13,.0f} {shared:>6.0%}")


if __name__ == "__main__":
    main()
