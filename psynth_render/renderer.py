"""Render one sample into a staging folder: the image, passes, video frames, and every member.

The `Renderer` lives for a whole worker process: bpy is imported once, the device is chosen
once, the passes compositor is installed once; each sample only updates the scene (`build`).
"""

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import bpy

from psynth_render import passes as pass_files
from psynth_render import scene
from psynth_render.image_metadata import strip_render_metadata
from psynth_render.instances import render_instance_ids, write_instance_png
from psynth_render.metadata import json_safe, sample_metadata
from psynth_render.outputs import PASS_SUFFIX, frame_suffix, member_name, member_suffixes, needs_still
from psynth_render.qc_probe import QC_DIR, qc_passes, stash_qc_mask
from psynth_render.scene.build.builder import build, pose_camera
from psynth_render.scene.describe import describe
from psynth_render.scene_code import scene_script
from psynth_spec.spec import Spec
from psynth_spec.taxonomy import Taxonomy, require_taxonomy

log = logging.getLogger("psynth.worker")

_IMAGE_FORMATS = {"png": "PNG", "exr": "OPEN_EXR", "webp": "WEBP"}
_CYCLES_PASS_SAMPLES = 1
"""Samples of the extra Cycles render that gives passes to EEVEE and Workbench samples."""


class Renderer:
    """Renders samples of one spec in the current Blender session."""

    def __init__(self, spec: Spec, taxonomy: Taxonomy, device: str = "auto"):
        require_taxonomy(spec, taxonomy)
        self.spec = spec
        self.taxonomy = taxonomy
        self.device = scene.configure_device(device)
        if device == "gpu" and self.device == "CPU":
            log.warning("device gpu asked for, but Blender finds no GPU: rendering on the CPU")
        self.suffixes = member_suffixes(spec)
        self._builder_source = scene.builder_source() if "scene_code" in spec.outputs else None
        self._passes_installed = False

    def render_sample(self, row: dict[str, Any], staging: Path) -> dict[str, Any]:
        """Write every member of `row`'s sample into `staging`; returns timings.

        Returns:
            {"render_seconds": time inside the engine's render calls, "members": [names]}
        """
        spec = self.spec
        sid = int(row["sample_id"])
        desc = describe(row, spec, self.taxonomy)
        camera = build(desc)
        current = bpy.context.scene
        _apply_device(current, self.device)
        _no_file_metadata(current)
        render_seconds = 0.0
        instances = None
        if needs_still(spec):
            render_seconds += self._render_still(current, sid, staging)
            seconds, instances = self._render_instances(desc, sid, staging)
            render_seconds += seconds
        frames = None
        if "video" in spec.outputs and spec.video is not None:
            frames, seconds = self._render_frames(current, desc, sid, staging)
            render_seconds += seconds
        if "usd" in spec.outputs:
            _export_usd(staging / member_name(sid, "usdc"))
        if "scene_code" in spec.outputs:
            sample = {
                "sample_id": sid,
                "dataset": spec.dataset,
                "version_id": spec.version_id,
                "captions": {c: row.get(c) for c in spec.caption_columns},
                "image_name": member_name(sid, spec.render.format),
            }
            code = scene_script(self._builder_source, desc, sample)
            (staging / member_name(sid, "py")).write_text(code, encoding="utf-8")
        if "caption" in spec.outputs:
            text = row.get("caption") or ""
            (staging / member_name(sid, "txt")).write_text(str(text), encoding="utf-8")
        if "metadata" in spec.outputs:
            render_info = {
                "engine": current.render.engine,
                "device": self.device,
                "samples": desc.render.samples,
                "width": current.render.resolution_x,
                "height": current.render.resolution_y,
                "format": spec.render.format,
                "blender_version": bpy.app.version_string,
                "seed": desc.seed,
            }
            meta = sample_metadata(row, spec, camera, render_info, frames)
            meta["scene"] = desc.model_dump(mode="json")
            if instances is not None:
                meta["instances"] = instances
            (staging / member_name(sid, "json")).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        elif instances is not None:  # QC still reads them: beside the members, not in the tar
            (staging / QC_DIR).mkdir(exist_ok=True)
            (staging / QC_DIR / member_name(sid, "json")).write_text(json.dumps({"instances": instances}))
        written = sorted(p.name for p in staging.iterdir() if p.name != QC_DIR)  # _qc/: QC's mask
        expected = sorted(member_name(sid, s) for s in self.suffixes)
        if written != expected:
            raise RuntimeError(f"sample {sid}: wrote {written}, expected {expected}")
        return {"render_seconds": render_seconds, "members": written}

    # ------------------------------------------------------------------ still and passes
    def _render_still(self, current, sid: int, staging: Path) -> float:
        spec = self.spec
        wanted = qc_passes(spec)  # the spec's passes + the subject mask QC measures coverage on
        cycles_passes = bool(wanted) and current.render.engine == "CYCLES"
        self._install_passes(current, wanted if cycles_passes else (), staging, sid)
        seconds = 0.0
        if "image" in spec.outputs:
            _set_image_format(current, spec.render.format)
            current.render.filepath = str(staging / member_name(sid, spec.render.format))
            seconds += _render(write_still=True)
            strip_render_metadata(staging / member_name(sid, spec.render.format))
        elif cycles_passes:
            seconds += _render(write_still=False)
        if wanted and not cycles_passes:
            seconds += self._render_passes_with_cycles(current, wanted, staging, sid)
        pass_files.install(current, (), "", "")
        stash_qc_mask(spec, staging, sid)  # not asked for: kept beside the members, not in the tar
        return seconds

    def _render_instances(self, desc, sid: int, staging: Path) -> tuple[float, list[dict]]:
        """The instance ids of the still (psynth_render.instances): `inst.png` as a member when
        the spec's passes ask for `instances`, else in `_qc/` for QC only."""
        started = time.perf_counter()
        ids, instances = render_instance_ids(desc)
        seconds = time.perf_counter() - started
        folder = staging if "instances" in self.spec.render.passes else staging / QC_DIR
        folder.mkdir(exist_ok=True)
        write_instance_png(ids, folder / member_name(sid, PASS_SUFFIX["instances"]))
        return seconds, instances

    def _install_passes(self, current, wanted, staging: Path, sid: int) -> None:
        if not wanted:
            pass_files.install(current, (), "", "")
            return
        pass_files.install(current, wanted, str(staging) + "/", f"{sid:09d}.")

    def _render_passes_with_cycles(self, current, wanted, staging: Path, sid: int) -> float:
        """EEVEE/Workbench lack some passes: render them with a 1-sample Cycles pass render."""
        engine, filepath = current.render.engine, current.render.filepath
        samples = current.cycles.samples
        try:
            current.render.engine = "CYCLES"
            current.cycles.samples = _CYCLES_PASS_SAMPLES
            _apply_device(current, self.device)
            # a reused passes group writes nothing after an engine switch (Blender 5): build it anew
            stale = bpy.data.node_groups.get(pass_files.GROUP_NAME)
            if stale is not None:
                bpy.data.node_groups.remove(stale)
            self._install_passes(current, wanted, staging, sid)
            return _render(write_still=False)
        finally:
            current.render.engine = engine
            current.render.filepath = filepath
            current.cycles.samples = samples

    # ------------------------------------------------------------------ video
    def _render_frames(self, current, desc, sid: int, staging: Path) -> tuple[list[dict], float]:
        """One PNG per frame, the camera moved by `pose_camera`; per-frame annotations."""
        video = self.spec.video
        assert video is not None
        pass_files.install(current, (), "", "")
        _set_image_format(current, "png")
        frames, seconds = [], 0.0
        for index in range(video.frames):
            info = pose_camera(desc, index, video.frames)
            current.render.filepath = str(staging / member_name(sid, frame_suffix(index)))
            seconds += _render(write_still=True)
            strip_render_metadata(staging / member_name(sid, frame_suffix(index)))
            frames.append(json_safe({
                "index": index,
                "time": index / video.fps,
                "camera_to_world": info["camera_to_world"],
                "world_to_camera": info["world_to_camera"],
                "location": info["location"],
                "rotation_euler_deg": [math.degrees(a) for a in current.camera.matrix_world.to_euler()],
                "focal_length": info["focal_length_mm"],
                "K": info["K"],
            }))
        pose_camera(desc)  # leave the still's pose for the usd export and the next sample
        return frames, seconds


def _render(write_still: bool) -> float:
    started = time.perf_counter()
    bpy.ops.render.render(write_still=write_still)
    return time.perf_counter() - started


def _no_file_metadata(current) -> None:
    """No stamp metadata in written images (PNG text chunks, EXR header attributes).

    Blender writes the date, the render time, the file name and more into every PNG and EXR by
    default, so two renders of the same sample would differ in bytes while equal in pixels;
    re-rendering a shard must give the same tar (timings live in the QC table and manifest).
    """
    settings = current.render
    for name in dir(settings):
        if name.startswith("use_stamp"):
            setattr(settings, name, False)


def _apply_device(current, device: str) -> None:
    if current.render.engine == "CYCLES":
        current.cycles.device = "CPU" if device == "CPU" else "GPU"


def _set_image_format(current, fmt: str) -> None:
    settings = current.render.image_settings
    if hasattr(settings, "media_type"):
        settings.media_type = "IMAGE"
    settings.file_format = _IMAGE_FORMATS[fmt]
    if fmt == "exr":
        settings.color_depth = "32"
    elif fmt == "png":
        settings.color_depth = "8"
        settings.color_mode = "RGB"


def _export_usd(path: Path) -> None:
    """The scene as USD (one `usdc`, textures left where they are: no side folder), in the
    canonical order of `usd_canonical` so the same scene gives the same bytes."""
    from psynth_render.usd_canonical import canonical_usdc  # OpenUSD only when usd is asked for

    raw = path.with_name(path.stem + ".blender.usdc")
    bpy.ops.wm.usd_export(filepath=str(raw), selected_objects_only=False, export_materials=True,
                          export_animation=False, export_textures_mode="KEEP",
                          convert_world_material=False)
    try:
        canonical_usdc(raw, path)
    finally:
        raw.unlink(missing_ok=True)
