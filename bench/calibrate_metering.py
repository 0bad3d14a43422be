"""Measure each lighting setup's `metering_ev` (taxonomy/concepts/lighting.yaml): the stops the
camera opens up so that a dim rig still gives a readable frame at the darkest exposure a spec
draws.

    .venv/bin/python bench/calibrate_metering.py [--spec specs/vfx_elements.psynth]
        [--exposure -2] [--rows 6] [--size 64] [--setup natural.night ...]

For each setup (default: every leaf of `lighting`), renders `--rows` sample rows of the spec
(their subjects, materials, liquids, gases) with the setup at `--exposure` EV, at SIZE px with
Cycles 4 spp, and measures the QC's `dark_clip_frac` (share of pixels at luma <= 0.02) and the
subject's mean luma. It then raises `metering_ev` in half stops, from the taxonomy's current
value, until the median row's dark share is under `--target` (default 0.2, well under QC's
`max_dark_clip` 0.5; the median, not the worst: a dense gas's few-sample noise darkens a row
whatever the rig) and prints the value to put in the taxonomy. A setup already readable keeps
0. Run by hand (it imports bpy); about a second per render on a laptop CPU.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psynth_data.qc import image_metrics, luma  # noqa: E402
from psynth_spec.compile import load_spec  # noqa: E402
from psynth_spec.sampler import sample_range  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402

STEP = 0.5
MAX_EV = 8.0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--spec", default=str(ROOT / "specs" / "vfx_elements.psynth"))
    p.add_argument("--exposure", type=float, default=-2.0)
    p.add_argument("--rows", type=int, default=6)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--target", type=float, default=0.2)
    p.add_argument("--setup", action="append", help="lighting concepts (default: every leaf)")
    args = p.parse_args(argv)

    from psynth_render.instances import render_id_layers
    from psynth_render.scene import configure_device, render_still
    from psynth_render.scene.describe import describe

    tax = default_taxonomy()
    configure_device("cpu")
    spec = load_spec(Path(args.spec), tax)
    rows = sample_range(spec, 0, args.rows).to_dicts()
    setups = args.setup or [path.removeprefix("lighting.") for path in tax.leaves("lighting")]
    out = Path(tempfile.mkdtemp(prefix="psynth_metering_")) / "still.png"

    def measure(setup, metering):
        dark, subject = [], []
        for row in rows:
            desc = describe(dict(row, lighting_setup=setup, lighting_exposure=args.exposure), spec, tax)
            desc.lighting.metering_ev = metering
            desc.render.engine, desc.render.samples, desc.render.denoise = "CYCLES", 4, False
            desc.render.width = desc.render.height = args.size
            render_still(desc, str(out))
            with Image.open(out) as im:
                image = np.asarray(im.convert("RGB"))
            index, _, _ = render_id_layers(desc)
            mask = np.rint(index) == 1
            dark.append(image_metrics(image)["dark_clip_frac"])
            subject.append(float(luma(image)[mask].mean()) if mask.any() else float("nan"))
        return float(np.median(dark)), float(np.nanmean(subject))

    print(f"{'setup':30} {'now':>5} {'dark':>6} {'subject':>8}  ->  metering_ev")
    for setup in setups:
        now = float((tax.concept("lighting." + setup).render or {}).get("metering_ev", 0.0))
        metering = 0.0
        dark, subject = measure(setup, metering)
        first = (dark, subject)
        while dark >= args.target and metering < MAX_EV:
            metering += STEP
            dark, subject = measure(setup, metering)
        print(f"{setup:30} {now:>5.1f} {first[0]:>6.2f} {first[1]:>8.3f}  ->  {metering:.1f}"
              f"  (dark {dark:.2f}, subject {subject:.3f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
