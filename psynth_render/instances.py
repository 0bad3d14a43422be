"""Instance ids: which element of the scene each pixel shows (`{id}.inst.png`) and how much of
the frame each element covers (the sample JSON's `instances`).

    render_instance_ids(desc, camera=None, view=None) -> (ids HxW uint16, instances list)
    render_id_layers(desc, camera=None) -> (surface index HxW, gas opacity HxW, table): the two
        renders before they are merged (the subject's surface mask, under any gas, is
        `surface == 1`)

Cheap extra Cycles renders of the built scene, whatever the sample's engine, with no bounces
and a transparent film: one sample with the gas hidden, whose object-index pass says which
surface each pixel sees first (the builder gives every element its id as object index); and,
when there is a gas, a few samples with every surface a holdout, whose alpha is the opacity the
gas accumulates in front of the first surface (or of the world): a volume counts where that
opacity is at least `GAS_OPACITY` (0.1), even over a surface behind it. (A holdout writes no
object index, so the two cannot share one render.)
Measured (bench/bench_instances.py) this costs far less than the beauty render; Cryptomatte
would give the same surface ids but nothing for a volume, and a Workbench pass no volume at all.

The id image holds one id per pixel: a surface's, or the gas's where its opacity is at least
`GAS_OPACITY` over the backdrop, the ground or nothing, and at least `GAS_HIDES` (0.5) over a
subject, object or liquid. Coverage is per element: a surface's share of the frame counts the
pixels where it is the first surface (under a thin gas too), a gas's where its opacity is at
least `GAS_OPACITY`. World pixels are the backdrop's for world-only backdrops (sky, void) and
for the sky above a floor; behind a sweep or wall they are 0 (nothing of the set: void).
"""

import tempfile
from pathlib import Path

import bpy
import numpy as np

from psynth_render.scene.build.builder import instance_table

OUTSIDE_LENS = 65535
"""Id of pixels outside a fisheye's or mirror ball's image circle: the lens sends no ray there
(neither an element nor void)."""
GAS_OPACITY = 0.1
GAS_HIDES = 0.5
ID_SAMPLES = 4
"""Samples of the id render: enough for a stable gas opacity, the index pass is exact."""
GROUP_NAME = "psynth_instances"


def render_instance_ids(desc, camera=None, view=None) -> tuple[np.ndarray, list[dict]]:
    """The id image and instances list of the built scene `desc`, seen by `camera` (default:
    the scene's camera, as posed) through the lens of `view` (a CameraView; default the main
    view). Leaves the scene's settings as they were."""
    index, alpha, table = render_id_layers(desc, camera)
    view = view or desc.camera.main
    return compose_ids(index, alpha, table, outside_lens(view, desc.render.width, desc.render.height))


def render_id_layers(desc, camera=None) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """The object index of the first surface per pixel, the gas's opacity in front of it (zeros
    without a gas) and the instance table (builder.instance_table)."""
    scene = bpy.context.scene
    table = instance_table(desc)
    has_gas = any(e["element"] == "gas" for e in table)
    with tempfile.TemporaryDirectory(prefix="psynth_inst_") as tmp:
        with _id_render_settings(scene, table, camera, tmp + "/surfaces", gas=False):
            bpy.ops.render.render(write_still=False)
        index = _read_exr(Path(tmp) / "surfaces", "index")[..., 0]
        alpha = np.zeros_like(index)
        if has_gas:
            with _id_render_settings(scene, table, camera, tmp + "/gas", gas=True):
                bpy.ops.render.render(write_still=False)
            alpha = smooth(_read_exr(Path(tmp) / "gas", "alpha")[..., 0])
    return index, alpha, table


def write_instance_png(ids: np.ndarray, path) -> None:
    """The id image as a 16-bit greyscale PNG (`{id}.inst.png`)."""
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(ids, dtype=np.uint16)).save(path)  # mode I;16


def outside_lens(view, width: int, height: int) -> np.ndarray | None:
    """Pixels a circular fisheye or mirror ball leaves black (Cycles' own image-circle tests),
    None for lenses that fill the frame."""
    lens = view.lens
    kind = lens.panorama_type if lens.lens_type == "PANO" else None
    if kind not in ("FISHEYE_EQUIDISTANT", "FISHEYE_EQUISOLID", "MIRRORBALL"):
        return None
    side = max(width, height)
    x = (np.arange(width) + 0.5 - width / 2) / side
    y = (np.arange(height) + 0.5 - height / 2) / side
    if kind == "MIRRORBALL":  # the ball fills the frame: an ellipse over each side
        x, y = x * side / width, y * side / height
        limit = 0.5
    elif kind == "FISHEYE_EQUISOLID":
        # Cycles' rim: r = 2 f sin(fov / 4) on the sensor (without the 2, half the lit circle's
        # radius, so the ids called most of a fisheye's subject outside the lens)
        limit = 2 * lens.fisheye_lens_mm * np.sin(np.radians(lens.fisheye_fov_deg) / 4) / view.sensor_width
    else:
        limit = 0.5
    return np.hypot(x[None, :], y[:, None]) > limit


def compose_ids(index: np.ndarray, alpha: np.ndarray, table: list[dict],
                outside: np.ndarray | None = None) -> tuple[np.ndarray, list[dict]]:
    """The id image and instances from the id render's index pass and gas opacity (see the
    module docstring; pure numpy, so it is tested without a render). `outside`: pixels outside
    the lens's image (`OUTSIDE_LENS`)."""
    surface = np.rint(index).astype(np.int64)
    known = {entry["id"] for entry in table}
    surface[~np.isin(surface, list(known))] = 0
    world = next((e["id"] for e in table if e.get("world")), 0)
    surface[surface == 0] = world
    gas = next((e for e in table if e["element"] == "gas"), None)
    gas_mask = alpha >= GAS_OPACITY if gas is not None else np.zeros(surface.shape, dtype=bool)
    if outside is not None:
        surface[outside] = OUTSIDE_LENS
        gas_mask &= ~outside
    ids = surface.copy()
    if gas is not None:
        behind = {e["id"] for e in table if e["element"] in ("backdrop", "ground")} | {0}
        over_back = np.isin(surface, list(behind))
        ids[gas_mask & (over_back | (alpha >= GAS_HIDES))] = gas["id"]
    size = max(surface.size, 1)
    instances = []
    for entry in table:
        if entry["element"] == "gas":
            coverage = float(np.count_nonzero(gas_mask)) / size
        else:
            coverage = float(np.count_nonzero(surface == entry["id"])) / size
        instances.append({"id": entry["id"], "element": entry["element"], "concept": entry["concept"],
                          "coverage": round(coverage, 6)})
    return ids.astype(np.uint16), instances


def smooth(alpha: np.ndarray) -> np.ndarray:
    """A 3x3 mean: the few-sample opacity of a ray-marched gas is noisy around the thresholds."""
    padded = np.pad(alpha, 1, mode="edge")
    h, w = alpha.shape
    return sum(padded[i:i + h, j:j + w] for i in range(3) for j in range(3)) / 9.0


class _id_render_settings:
    """Switch the scene to the id render and back (a context manager)."""

    def __init__(self, scene, table, camera, directory, gas):
        self.scene, self.table, self.camera, self.directory, self.gas = scene, table, camera, directory, gas

    def __enter__(self):
        scene, r, c = self.scene, self.scene.render, self.scene.cycles
        layer = scene.view_layers[0]
        self.saved = {
            "engine": r.engine, "film": r.film_transparent, "filepath": r.filepath, "camera": scene.camera,
            "group": scene.compositing_node_group, "index": layer.use_pass_object_index,
            "cycles": {k: getattr(c, k) for k in ("samples", "use_denoising", "use_adaptive_sampling",
                                                  "max_bounces", "volume_bounces", "filter_width")},
        }
        self.holdouts, self.hidden = [], []
        r.engine = "CYCLES"
        c.samples, c.use_denoising, c.use_adaptive_sampling = ID_SAMPLES if self.gas else 1, False, False
        c.max_bounces, c.volume_bounces, c.filter_width = 0, 0, 0.01
        r.film_transparent = True
        layer.use_pass_object_index = True
        if self.camera is not None:
            scene.camera = self.camera
        gas_names = {e["object"] for e in self.table if e["element"] == "gas"}
        for obj in scene.objects:
            if obj.type != "MESH":
                continue
            if obj.name in gas_names:  # the surfaces' render looks through the gas
                if not self.gas and obj.visible_camera:
                    obj.visible_camera = False
                    self.hidden.append(obj)
            elif self.gas and not obj.is_holdout:  # the gas's render: its opacity up to a surface
                obj.is_holdout = True
                self.holdouts.append(obj)
        scene.compositing_node_group = _output_group(scene, self.directory)
        return self

    def __exit__(self, *exc):
        scene, r, c = self.scene, self.scene.render, self.scene.cycles
        for obj in self.holdouts:
            obj.is_holdout = False
        for obj in self.hidden:
            obj.visible_camera = True
        saved = self.saved
        r.engine, r.film_transparent, r.filepath = saved["engine"], saved["film"], saved["filepath"]
        scene.camera = saved["camera"]
        scene.compositing_node_group = saved["group"]
        scene.view_layers[0].use_pass_object_index = saved["index"]
        for key, value in saved["cycles"].items():
            setattr(c, key, value)
        return False


def _output_group(scene, directory: str):
    """A compositor tree writing the index pass and the alpha as float EXRs into `directory`."""
    group = bpy.data.node_groups.get(GROUP_NAME)
    if group is not None:
        bpy.data.node_groups.remove(group)
    group = bpy.data.node_groups.new(GROUP_NAME, "CompositorNodeTree")
    layers = group.nodes.new("CompositorNodeRLayers")
    layers.scene = scene
    group.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
    out = group.nodes.new("NodeGroupOutput")
    group.links.new(layers.outputs["Image"], out.inputs[0])
    files = group.nodes.new("CompositorNodeOutputFile")
    files.directory = directory + "/"
    files.file_name = "id_"
    files.format.media_type = "IMAGE"
    for stem, socket in (("index", "Object Index"), ("alpha", "Alpha")):
        item = files.file_output_items.new("FLOAT", stem)
        item.override_node_format = True
        item.format.media_type = "IMAGE"
        item.format.file_format = "OPEN_EXR"
        item.format.color_depth = "32"
        item.save_as_render = False
        group.links.new(layers.outputs[socket], files.inputs[stem])
    return group


def _read_exr(directory: Path, stem: str) -> np.ndarray:
    found = sorted(directory.glob(f"*{stem}*.exr"))
    if not found:
        raise RuntimeError(f"the id render wrote no {stem} pass in {directory}: {sorted(directory.iterdir())}")
    image = bpy.data.images.load(str(found[0]), check_existing=False)
    try:
        width, height = image.size
        buffer = np.empty(width * height * image.channels, dtype=np.float32)
        image.pixels.foreach_get(buffer)
        return buffer.reshape(height, width, image.channels)[::-1]  # Blender's rows run bottom-up
    finally:
        bpy.data.images.remove(image)


def effect_boxes(ids: np.ndarray, instances: list[dict]) -> list[dict]:
    """The effects' (liquid, gas) entries of `instances`, each with `bbox`: [x0, y0, x1, y1] in
    pixels (x1, y1 exclusive; rows from the top) around its pixels in the id image, or None
    where it shows in none (a video frame's record of where a simulated effect is)."""
    out = []
    for entry in instances:
        if entry["element"] not in ("liquid", "gas"):
            continue
        rows, cols = np.nonzero(ids == entry["id"])
        box = None if rows.size == 0 else [int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1]
        out.append(dict(entry, bbox=box))
    return out
