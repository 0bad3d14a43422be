"""Which tar members a sample gets, from the spec's `outputs` and `render.passes`.

Member names are `{sample_id:09d}.{suffix}` (data-contract.md). A video sample adds one
`f{frame:04d}.png` per frame; passes are rendered for the still (frame 0 pose).
"""

from psynth_spec.spec import Spec

PASS_SUFFIX = {
    "depth": "depth.exr",
    "normal": "normal.exr",
    "segmentation": "seg.png",
    "albedo": "albedo.png",
    "instances": "inst.png",
}

OUTPUT_SUFFIX = {
    "caption": "txt",
    "metadata": "json",
    "scene_code": "py",
    "usd": "usdc",
}


def frame_suffix(frame: int) -> str:
    return f"f{frame:04d}.png"


def member_name(sample_id: int, suffix: str) -> str:
    return f"{sample_id:09d}.{suffix}"


def member_suffixes(spec: Spec) -> list[str]:
    """Every suffix a rendered sample of this spec stores, in tar order."""
    out: list[str] = []
    if "image" in spec.outputs:
        out.append(spec.render.format)
    out.extend(OUTPUT_SUFFIX[o] for o in ("caption", "metadata", "scene_code", "usd") if o in spec.outputs)
    out.extend(PASS_SUFFIX[p] for p in spec.render.passes)
    if "video" in spec.outputs and spec.video is not None:
        out.extend(frame_suffix(i) for i in range(spec.video.frames))
    return out


def needs_still(spec: Spec) -> bool:
    """Whether the still render (image, passes) is needed at all."""
    return "image" in spec.outputs or bool(spec.render.passes)


def sort_key(suffix: str) -> tuple[int, str]:
    """Tar order inside a sample: the spec's order for known suffixes, then by name."""
    order = ["png", "exr", "webp", "txt", "json", "py", "usdc", *PASS_SUFFIX.values()]
    return (order.index(suffix), suffix) if suffix in order else (len(order), suffix)
