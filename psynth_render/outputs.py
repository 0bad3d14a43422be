"""Which tar members a sample gets, from the spec's `outputs` and `render` block.

Member names are `{sample_id:09d}.{suffix}` (data-contract.md). A multi-view sample
(`render { views N }`) stores every image and pass once per view as `v{k:02d}.{suffix}`
(`view_suffix`, the one place view names are made) and adds `transforms.json`; a single-view
sample keeps the plain names. A video sample adds one `f{frame:04d}.png` per frame (the first
view's camera moving); passes are rendered for the stills.
A spec with `variants` adds `var{k}.{suffix}` for each variant's still (first view), script
and passes.
"""

import re

from psynth_spec.spec import Spec

PASS_SUFFIXES = {
    "depth": ("depth.exr",),
    "normal": ("normal.exr", "normal_camera.exr"),
    "segmentation": ("seg.png",),
    "albedo": ("albedo.exr",),
    "roughness": ("roughness.exr",),
    "metallic": ("metallic.exr",),
    "hdr": ("linear.exr",),  # not "hdr.exr": Blender takes a ".hdr" file name for a Radiance file
    "instances": ("inst.png",),  # psynth_render.instances, not the compositor
}
"""Per-view files of each still pass (`flow` is per video frame: `flow_suffix`)."""
PASS_SUFFIX = {name: files[0] for name, files in PASS_SUFFIXES.items()}
"""The first (main) file of each pass."""

OUTPUT_SUFFIX = {
    "caption": "txt",
    "metadata": "json",
    "scene_code": "py",
    "usd": "usdc",
    "glb": "glb",
}
TRANSFORMS_SUFFIX = "transforms.json"
"""A multi-view sample's cameras in the NeRF-synthetic convention (views.py)."""


def frame_suffix(frame: int) -> str:
    return f"f{frame:04d}.png"


def flow_suffix(frame: int) -> str:
    """Forward optical flow from video frame `frame` to the next (EXR, pixels)."""
    return f"f{frame:04d}.flow.exr"


def member_name(sample_id: int, suffix: str) -> str:
    return f"{sample_id:09d}.{suffix}"


def variant_suffix(variant: int, suffix: str) -> str:
    """A member suffix of variant k (`var{k}.png`, `var{k}.depth.exr`); k = 0 is the base."""
    return f"var{variant}.{suffix}" if variant else suffix


def view_indices(spec: Spec) -> list[int | None]:
    """The views of a sample as `view_suffix` takes them: [None] for a single view."""
    return [None] if spec.render.views == 1 else list(range(spec.render.views))


def view_suffix(suffix: str, view: int | None) -> str:
    """The suffix of a per-view file: `v{k:02d}.{suffix}` for view k, unchanged for None."""
    return suffix if view is None else f"v{view:02d}.{suffix}"


def still_suffix(spec: Spec, suffix: str) -> str:
    """The suffix of the first view's file (the one QC measures and captions describe)."""
    return view_suffix(suffix, view_indices(spec)[0])


def pass_suffixes(passes) -> list[str]:
    """The per-view files of `passes` (the still passes; flow is per video frame)."""
    return [s for p in passes if p in PASS_SUFFIXES for s in PASS_SUFFIXES[p]]


def member_suffixes(spec: Spec) -> list[str]:
    """Every suffix a rendered sample of this spec stores, in tar order."""
    views = view_indices(spec)
    out: list[str] = [view_suffix(spec.render.format, v) for v in views] if "image" in spec.outputs else []
    out.extend(OUTPUT_SUFFIX[o] for o in OUTPUT_SUFFIX if o in spec.outputs)
    out.extend(view_suffix(s, v) for v in views for s in pass_suffixes(spec.render.passes))
    if spec.render.views > 1 and needs_still(spec):
        out.append(TRANSFORMS_SUFFIX)
    if "video" in spec.outputs and spec.video is not None:
        out.extend(frame_suffix(i) for i in range(spec.video.frames))
        if "flow" in spec.render.passes:
            out.extend(flow_suffix(i) for i in range(spec.video.frames - 1))
    first = view_indices(spec)[0]
    for k in range(1, spec.variant_count + 1):  # each variant: its still (first view), script, passes
        if "image" in spec.outputs:
            out.append(variant_suffix(k, view_suffix(spec.render.format, first)))
        if "scene_code" in spec.outputs:
            out.append(variant_suffix(k, "py"))
        out.extend(variant_suffix(k, view_suffix(s, first)) for s in pass_suffixes(spec.render.passes))
    return out


def needs_still(spec: Spec) -> bool:
    """Whether the still render (image, passes) is needed at all."""
    return "image" in spec.outputs or bool(pass_suffixes(spec.render.passes))


def sort_key(suffix: str) -> tuple[int, str]:
    """Tar order inside a sample: the spec's order for known suffixes (a view's files by their
    kind, then by view), then by name."""
    order = ["png", "exr", "webp", "txt", "json", "py", "usdc", "glb", TRANSFORMS_SUFFIX,
             *(s for files in PASS_SUFFIXES.values() for s in files)]
    kind = re.sub(r"^v[0-9]{2}\.", "", suffix)
    return (order.index(kind), suffix) if kind in order else (len(order), suffix)
