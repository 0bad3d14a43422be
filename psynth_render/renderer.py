"""Render one sample into a staging folder: the image, passes, video frames, and every member.

The `Renderer` lives for a whole worker process: bpy is imported once, the device is chosen
once, the passes compositor is installed once; each sample only updates the scene (`build`).
"""

import json
import logging
import math
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import bpy
import numpy as np

from psynth_render import passes as pass_files
from psynth_render import scene
from psynth_render.image_metadata import strip_render_metadata
from psynth_render.instances import (compose_ids, effect_boxes, outside_lens, render_id_layers, render_instance_ids,
                                     write_instance_png)
from psynth_render.metadata import json_safe, sample_metadata
from psynth_render.flow import camera_flow
from psynth_render.glb import export_subject_glb
from psynth_render.outputs import (PASS_SUFFIXES, TRANSFORMS_SUFFIX, flow_suffix, frame_suffix, member_name, member_suffixes, needs_still,
                                   pass_suffixes, still_suffix, variant_suffix, view_indices,
                                   view_suffix)
from psynth_render.qc_probe import QC_DIR, measure_variant, qc_passes, stash_qc_mask, view_qc
from psynth_render.scene.build.builder import SUBJECT_PASS_INDEX, build, pose_camera
from psynth_render.scene.build.object_info import image_boxes, objects_info, with_pose_boxes
from psynth_render.scene.build.simulation import SimulatedClip
from psynth_render.scene.describe import describe
from psynth_render.scene_code import scene_script
from psynth_render.views import transforms, view_record
from psynth_spec.spec import Spec
from psynth_spec.taxonomy import Taxonomy, require_taxonomy
from psynth_spec.variants import changed_values, variant_row

log = logging.getLogger("psynth.worker")

_IMAGE_FORMATS = {"png": "PNG", "exr": "OPEN_EXR", "webp": "WEBP"}
_CYCLES_PASS_SAMPLES = 1
"""Samples of the extra Cycles render that gives passes to EEVEE and Workbench samples."""

OBJECT_BOXES = "object_boxes"
"""Key of a view's or frame's record holding `image_boxes` until they join the objects' records."""


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
        self._passes_installed = False

    def render_sample(self, row: dict[str, Any], staging: Path) -> dict[str, Any]:
        """Write every member of `row`'s sample into `staging`; returns timings.

        Returns:
            {"render_seconds": time inside the engine's render calls, "members": [names]}
        """
        spec = self.spec
        sid = int(row["sample_id"])
        desc = describe(row, spec, self.taxonomy)
        described = desc.model_copy(deep=True)  # the script rebuilds from this: build solves into desc
        camera = build(desc)
        current = bpy.context.scene
        _apply_device(current, self.device)
        current.render.film_transparent = spec.render.background == "transparent"  # alpha 0: no object
        _no_file_metadata(current)
        render_seconds = 0.0
        views = None
        instances = None
        view_boxes = frame_boxes = None  # each object's 2D box per view and per frame
        if needs_still(spec):
            views, seconds = self._render_views(current, desc, row, staging)
            view_boxes = [v.pop(OBJECT_BOXES) for v in views]
            instances = views[0].pop("instances") if spec.render.views == 1 else views[0]["instances"]
            render_seconds += seconds
            if spec.render.views > 1:
                stems = [member_name(sid, view_suffix("", v)).rstrip(".") for v in view_indices(spec)]
                record = transforms(views, stems)
                (staging / member_name(sid, TRANSFORMS_SUFFIX)).write_text(json.dumps(record, indent=1))
        frames = None
        if "video" in spec.outputs and spec.video is not None:
            frames, seconds = self._render_frames(current, desc, sid, staging)
            frame_boxes = [f.pop(OBJECT_BOXES) for f in frames]
            render_seconds += seconds
        if "usd" in spec.outputs:
            _export_usd(staging / member_name(sid, "usdc"))
        if "glb" in spec.outputs:
            export_subject_glb(staging / member_name(sid, "glb"), desc.subject.name)
        scene_code = self._scene_code(spec, row, described)
        if scene_code is not None:
            (staging / member_name(sid, "py")).write_text(scene_code, encoding="utf-8")
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
            meta["objects"] = with_pose_boxes(objects_info(current, desc), view_boxes, frame_boxes)
            if views is not None and spec.render.views > 1:
                meta["views"] = views
            meta["scene"] = desc.model_dump(mode="json")
            if instances is not None:
                meta["instances"] = instances
        variants, seconds = self._render_variants(current, row, staging)
        render_seconds += seconds
        if "metadata" in spec.outputs:
            if spec.variants is not None:
                meta["variants"] = variants
            (staging / member_name(sid, "json")).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        elif instances is not None or variants:  # QC still reads them: beside the members, not in the tar
            (staging / QC_DIR).mkdir(exist_ok=True)
            kept = {"instances": instances}
            if views is not None and spec.render.views > 1:
                kept["views"] = [{"instances": v["instances"]} for v in views]
            if variants:  # each variant's verdict: a failing one flags the sample
                kept["variants"] = [{"variant": v["variant"], "qc": v.get("qc")} for v in variants]
            (staging / QC_DIR / member_name(sid, "json")).write_text(json.dumps(kept))
        written = sorted(p.name for p in staging.iterdir() if p.name != QC_DIR)  # _qc/: QC's mask
        expected = sorted(member_name(sid, s) for s in self.suffixes)
        if written != expected:
            raise RuntimeError(f"sample {sid}: wrote {written}, expected {expected}")
        return {"render_seconds": render_seconds, "members": written}

    def _scene_code(self, spec: Spec, row: dict[str, Any], desc, variant: int = 0) -> str | None:
        """The standalone script of a sample (or of one of its variants)."""
        if "scene_code" not in spec.outputs:
            return None
        sid = int(row["sample_id"])
        sample = {
            "sample_id": sid,
            "dataset": spec.dataset,
            "version_id": spec.version_id,
            "captions": {c: row.get(c) for c in spec.caption_columns},
            "image_name": member_name(sid, variant_suffix(variant, still_suffix(spec, spec.render.format))),
        }
        if variant:
            sample["variant"] = variant
        return scene_script(desc, sample)

    # ------------------------------------------------------------------ variants
    def _render_variants(self, current, row: dict[str, Any], staging: Path) -> tuple[list[dict], float]:
        """Render every variant of a sample into `staging`; returns the JSON entries, seconds.

        A variant re-describes the sample from its variant row and updates the scene in place
        (`build` changes only what differs), then renders the still and the spec's passes under
        `{id}.var{k}.`, and its instance ids for its own QC (`_variant_qc`): the entry holds
        its `instances` and `qc`; a failing variant flags the base's QC row `variant_failed`.
        """
        spec = self.spec
        if spec.variants is None:
            return [], 0.0
        sid = int(row["sample_id"])
        entries, seconds = [], 0.0
        for k in range(1, spec.variants.count + 1):
            variant = variant_row(spec, row, k)
            desc = describe(variant, spec, self.taxonomy)
            described = desc.model_copy(deep=True)
            camera = build(desc)
            _apply_device(current, self.device)
            qc = {}
            if needs_still(spec):
                seconds += self._render_variant_still(current, desc, sid, staging, k)
                spent, qc = self._variant_qc(desc, variant, sid, staging, k)
                seconds += spent
            code = self._scene_code(spec, variant, described, variant=k)
            if code is not None:
                (staging / member_name(sid, variant_suffix(k, "py"))).write_text(code, encoding="utf-8")
            files = sorted(p.name for p in staging.iterdir() if p.name.startswith(member_name(sid, f"var{k}.")))
            for name in files:  # render statistics (times) would make re-renders differ in bytes
                strip_render_metadata(staging / name)
            entries.append(json_safe({
                "variant": k,
                "axes": list(spec.variants.axis_names),
                "changed": changed_values(spec, row, k),
                "captions": {c: variant.get(c) for c in spec.caption_columns},
                "camera": camera,
                "files": files,
                **qc,
            }))
        return entries, seconds

    def _variant_qc(self, desc, row: dict[str, Any], sid: int, staging: Path, variant: int) -> tuple[float, dict]:
        """Variant k's instance ids (the base's id render, from the first view as posed) and its
        QC verdict: {"instances", "qc"} for its JSON entry (see qc_probe.measure_variant).
        `var{k}.inst.png` is written only when the spec's passes ask for `instances`."""
        spec = self.spec
        view = view_indices(spec)[0]
        started = time.perf_counter()
        index, alpha, table = render_id_layers(desc)
        ids, instances = compose_ids(index, alpha, table, outside_lens(desc.camera.main, desc.render.width, desc.render.height))
        seconds = time.perf_counter() - started
        if "instances" in spec.render.passes:
            write_instance_png(ids, staging / member_name(sid, variant_suffix(variant, view_suffix(PASS_SUFFIXES["instances"][0], view))))
        image = staging / member_name(sid, variant_suffix(variant, view_suffix(spec.render.format, view)))
        subject = (np.rint(index) == SUBJECT_PASS_INDEX).astype(np.uint8) * 255  # seg.png: surfaces only
        return seconds, {"instances": instances, "qc": measure_variant(spec, image, subject, ids, instances, row)}

    # ------------------------------------------------------------------ views, still and passes
    def _render_views(self, current, desc, row: dict[str, Any], staging: Path) -> tuple[list[dict], float]:
        """Render every view's still and passes; only the camera moves between views (the scene
        is built once). Returns the JSON `views` records (a multi-view sample's with each view's
        visibility QC, `qc`) and the seconds spent rendering."""
        records, seconds = [], 0.0
        spec = self.spec
        sid = int(row["sample_id"])
        per_view = ([spec.render.format] if "image" in spec.outputs else []) + pass_suffixes(spec.render.passes)
        for index, view in enumerate(view_indices(spec)):
            info = pose_camera(desc, view=index)
            seconds += self._render_still(current, sid, staging, view)
            spent, instances = self._render_instances(desc, sid, staging, view, index)
            seconds += spent
            if "normal" in spec.render.passes:
                world, camera = (str(staging / member_name(sid, view_suffix(s, view))) for s in PASS_SUFFIXES["normal"])
                pass_files.camera_normals(world, camera, info["world_to_camera"])
            files = [member_name(sid, view_suffix(s, view)) for s in per_view]
            records.append(json_safe(view_record(index, desc.camera.views[index].name, info, files)))
            records[-1]["instances"] = instances
            records[-1][OBJECT_BOXES] = image_boxes(current, desc)
            if view is not None:
                records[-1]["qc"] = json_safe(view_qc(spec, staging, row, view, instances))
        if len(records) > 1:
            pose_camera(desc)  # leave the first view's pose for the video, the usd and the next sample
        return records, seconds

    def _render_variant_still(self, current, desc, sid: int, staging: Path, variant: int) -> float:
        """Variant k's still from the first view, with the spec's passes (QC is the base's)."""
        spec = self.spec
        view = view_indices(spec)[0]
        info = pose_camera(desc, view=0)
        seconds = self._render_still(current, sid, staging, view, variant)
        if "normal" in spec.render.passes:
            world, camera = (str(staging / member_name(sid, variant_suffix(variant, view_suffix(s, view))))
                             for s in PASS_SUFFIXES["normal"])
            pass_files.camera_normals(world, camera, info["world_to_camera"])
        return seconds

    def _render_still(self, current, sid: int, staging: Path, view: int | None = None, variant: int = 0) -> float:
        spec = self.spec
        # + QC's subject mask for the base only (QC is the base image's); not flow
        wanted = tuple(p for p in (qc_passes(spec) if not variant else spec.render.passes) if p in PASS_SUFFIXES)
        cycles_passes = bool(wanted) and current.render.engine == "CYCLES"
        prefix = member_name(sid, variant_suffix(variant, view_suffix("", view)))
        self._install_passes(current, wanted if cycles_passes else (), staging, prefix)
        seconds = 0.0
        if "image" in spec.outputs:
            _set_image_format(current, spec.render.format, alpha=current.render.film_transparent)
            image = variant_suffix(variant, view_suffix(spec.render.format, view))
            current.render.filepath = str(staging / member_name(sid, image))
            seconds += _render(write_still=True)
            strip_render_metadata(staging / member_name(sid, view_suffix(spec.render.format, view)))
        elif cycles_passes:
            seconds += _render(write_still=False)
        if wanted and not cycles_passes:
            seconds += self._render_passes_with_cycles(current, wanted, staging, prefix)
        pass_files.install(current, (), "", "")
        if not variant:
            stash_qc_mask(spec, staging, sid, view)  # not asked for: kept beside the members, not in the tar
        return seconds

    def _render_instances(self, desc, sid: int, staging: Path, view: int | None, index: int) -> tuple[float, list[dict]]:
        """The instance ids of a view's still (psynth_render.instances): `inst.png` as a member
        when the spec's passes ask for `instances`, else in `_qc/` for QC only."""
        started = time.perf_counter()
        ids, instances = render_instance_ids(desc, view=desc.camera.views[index])
        seconds = time.perf_counter() - started
        folder = staging if "instances" in self.spec.render.passes else staging / QC_DIR
        folder.mkdir(exist_ok=True)
        write_instance_png(ids, folder / member_name(sid, view_suffix(PASS_SUFFIXES["instances"][0], view)))
        return seconds, instances

    def _install_passes(self, current, wanted, staging: Path, prefix: str) -> None:
        if not wanted:
            pass_files.install(current, (), "", "")
            return
        pass_files.install(current, wanted, str(staging) + "/", prefix)

    def _render_passes_with_cycles(self, current, wanted, staging: Path, prefix: str) -> float:
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
            self._install_passes(current, wanted, staging, prefix)
            return _render(write_still=False)
        finally:
            current.render.engine = engine
            current.render.filepath = filepath
            current.cycles.samples = samples

    # ------------------------------------------------------------------ video
    def _render_frames(self, current, desc, sid: int, staging: Path) -> tuple[list[dict], float]:
        """One PNG per frame, the camera moved by `pose_camera` (and the effects by the
        simulation, when the spec simulates); per-frame annotations."""
        video = self.spec.video
        assert video is not None
        render = self.spec.render
        if not render.simulate:
            return self._render_clip(current, desc, sid, staging, None)
        bake = Path(tempfile.mkdtemp(prefix="psynth-sim-"))  # the solver's frames: the worker's scratch
        try:
            with SimulatedClip(desc, render.particles, render.voxel_size, video.frames, video.fps, bake) as clip:
                return self._render_clip(current, desc, sid, staging, clip)
        finally:
            shutil.rmtree(bake, ignore_errors=True)

    def _render_clip(self, current, desc, sid: int, staging: Path, clip) -> tuple[list[dict], float]:
        video = self.spec.video
        pass_files.install(current, (), "", "")
        _set_image_format(current, "png")
        frames, seconds = [], 0.0
        flow = "flow" in self.spec.render.passes
        scratch = Path(tempfile.mkdtemp(prefix="psynth-flow-")) if flow else None
        infos = []
        for index in range(video.frames):
            if clip is not None:
                clip.show(index)
            info = pose_camera(desc, index, video.frames)
            infos.append(info)
            current.render.filepath = str(staging / member_name(sid, frame_suffix(index)))
            prefix = member_name(sid, f"f{index:04d}.")
            if flow and current.render.engine == "CYCLES":  # the frame's depth from the same render
                self._install_passes(current, ("depth",), scratch, prefix)
            seconds += _render(write_still=True)
            strip_render_metadata(staging / member_name(sid, frame_suffix(index)))
            if flow and current.render.engine != "CYCLES":
                seconds += self._render_passes_with_cycles(current, ("depth",), scratch, prefix)
            pass_files.install(current, (), "", "")
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
            frames[-1][OBJECT_BOXES] = image_boxes(current, desc)
            if clip is not None and clip.effects:  # where the moving effects are in this frame
                started = time.perf_counter()
                ids, instances = render_instance_ids(desc)
                seconds += time.perf_counter() - started
                frames[-1]["effects"] = effect_boxes(ids, instances)
        pose_camera(desc)  # leave the still's pose for the usd export and the next sample
        if scratch is not None:
            try:
                _write_flows(scratch, staging, sid, infos)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        return frames, seconds


def _write_flows(scratch: Path, staging: Path, sid: int, infos: list[dict]) -> None:
    """Forward flow of each frame to the next, from the frames' depth passes and cameras."""
    projection = infos[0]["projection"]
    if projection not in ("perspective", "orthographic"):
        raise ValueError(f"the flow pass needs a perspective or orthographic lens, not {projection}")
    for index in range(len(infos) - 1):
        depth = pass_files.read_exr(str(scratch / member_name(sid, f"f{index:04d}.depth.exr")))[..., 0]
        a, b = infos[index], infos[index + 1]
        flow = camera_flow(depth, a["K"], a["world_to_camera_opencv"], b["world_to_camera_opencv"],
                           orthographic=projection == "orthographic", K_b=b["K"])
        pass_files.write_exr(str(staging / member_name(sid, flow_suffix(index))), flow)


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


def _set_image_format(current, fmt: str, alpha: bool = False) -> None:
    settings = current.render.image_settings
    if hasattr(settings, "media_type"):
        settings.media_type = "IMAGE"
    settings.file_format = _IMAGE_FORMATS[fmt]
    if fmt == "exr":
        settings.color_depth = "32"
    elif fmt == "png":
        settings.color_depth = "8"
        settings.color_mode = "RGBA" if alpha else "RGB"
    elif fmt == "webp":
        settings.color_mode = "RGBA" if alpha else "RGB"


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
