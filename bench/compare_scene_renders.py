"""Render the first samples of every shipped spec with a git ref's code and with the working
tree, and report the largest pixel difference (0: the change keeps every pixel).

    .venv/bin/python bench/compare_scene_renders.py [--ref main] [--samples 6] [--size 48]

Each side runs in its own process with its own tree first on sys.path; renders are Cycles on
the CPU at SIZE px with at most 4 samples, no denoising. Run by hand (takes a few minutes).
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RENDER = r'''
import sys
from pathlib import Path
tree, out, count, size = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, tree)
import psynth_render
assert psynth_render.__file__.startswith(tree), f"{psynth_render.__file__} is not under {tree}"
from psynth_render.scene import configure_device, render_still
try:
    from psynth_render.scene.describe import describe
except ImportError:  # before the describe/build split
    from psynth_render.scene import describe
from psynth_spec.compile import load_spec
from psynth_spec.sampler import sample_shard
from psynth_spec.taxonomy import default_taxonomy
tax = default_taxonomy()
configure_device("cpu")
for path in sorted(Path(tree, "specs").glob("*.psynth")):
    spec = load_spec(path, tax)
    for row in sample_shard(spec, 0).to_dicts()[:count]:
        desc = describe(row, spec, tax)
        if isinstance(desc, dict):
            desc["render"].update(width=size, height=size, samples=min(desc["render"]["samples"], 4), denoise=False)
        else:
            desc.render.width = desc.render.height = size
            desc.render.samples = min(desc.render.samples, 4)
            desc.render.denoise = False
        render_still(desc, str(out / f"{path.stem}-{row['sample_id']}.png"))
'''


def render(tree: Path, out: Path, count: int, size: int) -> None:
    out.mkdir(parents=True)
    subprocess.run([sys.executable, "-c", RENDER, str(tree), str(out), str(count), str(size)], check=True,
                   cwd=out, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="main", help="git ref to compare against (default main)")
    parser.add_argument("--samples", type=int, default=6, help="samples per shipped spec")
    parser.add_argument("--size", type=int, default=48)
    args = parser.parse_args()

    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp, "base")
        base.mkdir()
        archive = subprocess.run(["git", "archive", args.ref], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        render(base, Path(tmp, "before"), args.samples, args.size)
        render(ROOT, Path(tmp, "after"), args.samples, args.size)
        worst, names = 0, sorted(p.name for p in Path(tmp, "before").glob("*.png"))
        for name in names:
            a, b = (np.asarray(Image.open(Path(tmp, side, name)).convert("RGB"), dtype=int) for side in ("before", "after"))
            diff = int(np.abs(a - b).max())
            worst = max(worst, diff)
            if diff:
                print(f"{name}: max difference {diff}")
    print(f"{len(names)} images ({args.ref} vs working tree), max pixel difference {worst} (of 255)")


if __name__ == "__main__":
    main()
