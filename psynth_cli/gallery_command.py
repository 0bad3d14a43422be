"""`psynth gallery SPEC --axis AXIS [--out PNG] [--size PX]`: a reference sheet of an axis.

One labelled tile per value of AXIS (every leaf concept of a categorical axis, or `--steps`
values over a numeric axis's range; `--values` picks some, a concept name standing for the
leaves under it), everything else fixed at the spec's first sample (`--set AXIS=VALUE` changes
it for every tile). Rendered in this process
with Blender, through the worker's scene builder, and composed into one PNG.
"""

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the .psynth spec (its first sample fixes the other axes)")
    parser.add_argument("--axis", required=True, help="the axis to vary, e.g. gas, liquid.form, gas.density")
    parser.add_argument("--out", default=None, help="the sheet's PNG path (default: gallery-AXIS.png)")
    parser.add_argument("--size", type=int, default=128, help="tile size in pixels (default 128; 0: the spec's)")
    parser.add_argument("--samples", type=int, default=None, help="render samples per tile (default: the spec's)")
    parser.add_argument("--values", default=None, help="comma-separated values or concept nodes to show")
    parser.add_argument("--set", dest="fixed", action="append", default=[], metavar="AXIS=VALUE",
                        help="fix another axis for every tile (repeatable), e.g. --set liquid.form=splash")
    parser.add_argument("--steps", type=int, default=6, help="values over a numeric axis's range (default 6)")
    parser.add_argument("--columns", type=int, default=None, help="tiles per row (default: about square)")
    parser.add_argument("--device", choices=("auto", "gpu", "cpu"), default=None, help="default: the spec's")


def run(args: argparse.Namespace) -> int:
    from psynth_render.gallery import GalleryRequest
    from psynth_spec.compile import load_spec
    from psynth_spec.errors import PsynthError
    from psynth_spec.taxonomy import default_taxonomy

    if args.size < 0 or args.size > 8192:
        raise PsynthError(f"--size {args.size}: expected 0..8192 pixels")
    if args.samples is not None and args.samples < 1:
        raise PsynthError(f"--samples {args.samples}: expected at least 1")
    if args.columns is not None and args.columns < 1:
        raise PsynthError(f"--columns {args.columns}: expected at least 1")
    spec = load_spec(args.file)
    out = Path(args.out or f"gallery-{args.axis.replace('.', '_')}.png")
    values = tuple(v.strip() for v in args.values.split(",") if v.strip()) if args.values else ()
    request = GalleryRequest(axis=args.axis, out=out, size=args.size or None, samples=args.samples,
                             values=values, steps=args.steps, columns=args.columns,
                             device=args.device or spec.render.device, fixed=tuple(args.fixed))
    from psynth_render.gallery_values import axis_values, fixed_row, gallery_axis

    taxonomy = default_taxonomy()
    count = len(axis_values(taxonomy, gallery_axis(taxonomy, args.axis), list(values) or None, args.steps))
    fixed_row(taxonomy, {}, list(args.fixed))  # a bad --set is an error before Blender starts
    from psynth_cli.blender_output import chatter_to_stderr

    with chatter_to_stderr():
        from psynth_render.gallery import render_gallery

        render_gallery(spec, taxonomy, request)
    print(f"{out}: {count} tiles of {args.axis}")
    return 0
