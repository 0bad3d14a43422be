"""Is every caption true on screen? Render samples of each shipped spec small and cheap, and
report per element kind how often a stated element is visible, the QC pass rate per spec and
the caption problems found.

    .venv/bin/python bench/bench_fidelity.py [--samples 200] [--size 128] [--spp 8]
        [--spec specs/vfx_elements.psynth ...] [--device cpu] [--out /tmp/fidelity]
        [--ids 80,127,167]   (render only these sample ids again: re-check a run's failures)

Per sample: describe the row, render the still with Cycles at SIZE px and SPP samples (no
denoising; the spec's own engine is replaced, so every spec costs alike), render the instance
ids (psynth_render.instances) and judge it with the worker's QC (psynth_data.qc with the spec's
thresholds; the subject mask is the id render's subject surface, as seg.png is). Targets (issue 12): a visible rate of at
least 98% for every element kind, a QC pass rate of at least 95% for every spec.

Visible: a stated, non-none element whose coverage reaches the QC threshold (the subject
`min_coverage`, others `min_element_coverage`). Caption problems: a caption that repeats a
word (psynth_spec.caption_words.repeats_word), and a caption of a sample where a stated element
is not visible (it names what is not on screen). Run by hand: on a laptop CPU a 128 px sample
takes about a second; `--samples` sets the count per spec, `--out` keeps contact sheets.
"""

import argparse
import collections
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psynth_data.qc import QcThresholds, image_metrics, qc_reasons  # noqa: E402
from psynth_data.visibility import crop_allowed, expected_elements  # noqa: E402
from psynth_spec.caption_words import repeats_word  # noqa: E402
from psynth_spec.compile import load_spec  # noqa: E402
from psynth_spec.sampler import sample_range  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--samples", type=int, default=200, help="samples per spec (default 200)")
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--spp", type=int, default=8)
    p.add_argument("--spec", action="append", help="a spec (default: every specs/*.psynth)")
    p.add_argument("--device", default="cpu", choices=("cpu", "gpu", "auto"))
    p.add_argument("--out", default=None, help="folder for per-spec contact sheets of the renders")
    p.add_argument("--verbose", action="store_true", help="print every failing sample's reasons and axes")
    p.add_argument("--ids", default=None,
                   help="comma-separated sample ids to render alone (re-check failures; overrides --samples)")
    args = p.parse_args(argv)

    from psynth_render.instances import compose_ids, outside_lens, render_id_layers
    from psynth_render.scene import configure_device, render_still
    from psynth_render.scene.describe import describe

    tax = default_taxonomy()
    configure_device(args.device)
    paths = [Path(s) for s in args.spec] if args.spec else sorted((ROOT / "specs").glob("*.psynth"))
    visible = collections.defaultdict(lambda: [0, 0])  # element -> [visible, stated]
    report = []
    with tempfile.TemporaryDirectory(prefix="psynth_fidelity_") as tmp:
        for path in paths:
            spec = load_spec(path, tax)
            thresholds = QcThresholds.for_spec(spec)
            if args.ids:
                wanted = sorted({int(i) for i in args.ids.split(",")})
                rows = [r for i in wanted for r in sample_range(spec, i, i + 1).to_dicts()]
            else:
                rows = sample_range(spec, 0, min(args.samples, spec.samples)).to_dicts()
            passed, reasons, problems, seconds, thumbs = 0, collections.Counter(), collections.Counter(), [], []
            id_seconds = []
            for row in rows:
                started = time.perf_counter()
                desc = describe(row, spec, tax)
                desc.render.engine, desc.render.samples, desc.render.denoise = "CYCLES", args.spp, False
                desc.render.width = desc.render.height = args.size
                image_path = Path(tmp) / "still.png"
                render_still(desc, str(image_path))
                id_started = time.perf_counter()
                index, alpha, table = render_id_layers(desc)
                id_seconds.append(time.perf_counter() - id_started)
                ids, instances = compose_ids(index, alpha, table, outside_lens(desc.camera.main, args.size, args.size))
                seconds.append(time.perf_counter() - started)
                with Image.open(image_path) as im:
                    image = np.asarray(im.convert("RGB"))
                    if args.out and len(thumbs) < 48:
                        thumbs.append(im.convert("RGB").copy())
                subject = next(i["id"] for i in instances if i["element"] == "subject")
                expected = expected_elements(row)
                mask = (np.rint(index) == subject).astype(np.uint8) * 255  # seg.png: surfaces only
                metrics = image_metrics(image, mask, thresholds=thresholds,
                                        instance_ids=ids, instances=instances, expected=expected,
                                        crop_allowed=crop_allowed(row))
                why = qc_reasons(metrics, thresholds)
                passed += not why
                if why and args.verbose:
                    stated = {c.column: row.get(c.column) for c in spec.columns if c.stated}
                    print(f"  {path.stem} {row['sample_id']}: {why} {_rounded(metrics)} {stated}", flush=True)
                reasons.update(why)
                coverage = metrics.get("element_coverage") or {}
                unseen = []
                for kind in expected:
                    floor = thresholds.min_coverage if kind == "subject" else thresholds.min_element_coverage
                    seen = coverage.get(kind, 0.0) >= floor
                    visible[kind][0] += seen
                    visible[kind][1] += 1
                    if not seen:
                        unseen.append(kind)
                if unseen and not why and args.verbose:
                    print(f"  {path.stem} {row['sample_id']}: passes QC, unseen {unseen} "
                          f"{ {k: round(coverage.get(k, 0.0), 4) for k in unseen} } {_rounded(metrics)}", flush=True)
                for column in spec.caption_columns:
                    text = row.get(column)
                    if not isinstance(text, str):
                        continue
                    if repeats_word(text):
                        problems["repeated word"] += 1
                    if unseen:
                        problems["names an unseen " + "/".join(unseen)] += 1
            report.append((path.name, len(rows), passed, reasons, problems, seconds))
            if args.out and thumbs:
                _sheet(thumbs, Path(args.out) / f"{path.stem}.png")
            print(f"{path.name}: {len(rows)} samples, QC pass {passed / max(len(rows), 1):.1%}, "
                  f"median {statistics.median(seconds):.2f} s/sample, of which the id renders "
                  f"{statistics.median(id_seconds):.2f} s", flush=True)
    _print(report, visible, args)
    return 0


def _rounded(metrics) -> dict:
    keys = ("object_coverage", "subject_border_frac", "void_frac", "min_element_coverage", "subject_contrast")
    return {k: round(metrics[k], 3) for k in keys if isinstance(metrics.get(k), float)}


def _sheet(images, path: Path, columns: int = 8) -> None:
    w, h = images[0].size
    rows = (len(images) + columns - 1) // columns
    sheet = Image.new("RGB", (w * columns, h * rows))
    for i, im in enumerate(images):
        sheet.paste(im, ((i % columns) * w, (i // columns) * h))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)


def _print(report, visible, args) -> None:
    print(f"\nfidelity at {args.size} px, Cycles {args.spp} spp, up to {args.samples} samples per spec")
    print(f"{'spec':28} {'n':>4} {'QC pass':>8}  reasons / caption problems")
    for name, n, passed, reasons, problems, _ in report:
        why = ", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "-"
        bad = ", ".join(f"{k} {v}" for k, v in problems.most_common()) or "-"
        print(f"{name:28} {n:>4} {passed / max(n, 1):>8.1%}  {why} / {bad}")
    print(f"\n{'element':10} {'stated':>7} {'visible':>8}")
    for kind, (seen, stated) in sorted(visible.items()):
        print(f"{kind:10} {stated:>7} {seen / max(stated, 1):>8.1%}")


if __name__ == "__main__":
    sys.exit(main())
