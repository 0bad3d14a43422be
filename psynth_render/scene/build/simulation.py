"""Simulated effects over a video clip (`render { simulate true }`): the built gas or liquid
object shows, frame by frame, the particles of psynth_render.vfx_solver, turned into a smoke
volume (Geometry Nodes: Mesh to Points -> Points to Volume) or a liquid surface (... -> Volume
to Mesh), at the spec's voxel size.

    with SimulatedClip(desc, particles, voxel_size, frames, fps, scratch) as clip:
        for index in range(frames):
            clip.show(index)
            ... render ...

The solver's frames are baked as .npz files into `scratch` (the worker's temporary folder) when
the clip opens; each effect keeps its object (its name, pass index and so its instance id), so
the id render tells where the effect is in every frame. When the clip closes, the objects get
back their built (still) geometry and material. Effects the solver has no kind for (fog, haze,
pools...) stay as built.
"""

import math
from pathlib import Path

import bpy
import numpy as np
from mathutils import Vector

from psynth_render.scene.build.fluids import SPLASH_SHARE
from psynth_render.scene.build.media import GAS, LIQUID, liquid_material, volume_shader, world_bounds
from psynth_render.scene.build.pour_spot import place_pour
from psynth_render.scene.build.sim_fireball import fireball_material, show_fireball
from psynth_render.vfx_solver import Setup, bake, effect_kind, load, simulate, thickness

MODIFIER = "psynth_simulation"
RADIUS = "psynth_radius"
SIM_GAS_MATERIAL = "psynth_sim_gas"
LIQUID_THRESHOLD = 0.3
"""Density at which Volume to Mesh puts the liquid's surface (a point's sphere has density 1)."""
GAS_DENSITY = 3.0
"""A particle sphere's density is 1; the still looks' fields peak above that (edge gain)."""
FIRE_GLOW = 0.4
"""Emission per unit of blackbody intensity x gas.density x particle density of a simulated flame."""
MIN_RADIUS_VOXELS = 1.25
"""The least particle radius meshed, in voxels: Points to Volume misses smaller spheres."""
FLAME_CORE_DENSITY = 2.0
"""Particle density (overlapping spheres) at which a flame burns at its core temperature; thinner
gas cools toward the tip temperature."""


class SimulatedClip:
    """The scene's simulated effects over one clip (a context manager, see the module doc)."""

    def __init__(self, desc, particles: int, voxel_size: float, frames: int, fps: float, scratch: Path):
        self.desc, self.particles, self.voxel = desc, particles, voxel_size
        self.frames, self.fps, self.scratch = frames, fps, Path(scratch)
        self.tracks: list[dict] = []

    def __enter__(self):
        scene = bpy.context.scene
        floor_z = float(scene.get("psynth_floor_z", 0.0))
        subject = bpy.data.objects[self.desc.subject.name]
        for number, effect in enumerate(self.desc.effects):
            kind = effect_kind(effect)
            obj = bpy.data.objects.get(LIQUID if effect.element == "liquid" else GAS)
            if kind is None or obj is None:
                continue
            size = (scene.render.resolution_x, scene.render.resolution_y)
            setup = setup_of(effect, kind, floor_z, subject, self.desc, self.voxel, size)
            solved = simulate(setup, self.particles, self.frames, self.fps, seed=effect.seed * 7 + number)
            paths = bake(solved, self.scratch, obj.name)
            self.tracks.append(_take_over(obj, effect, kind, self.voxel))
            self.tracks[-1].update(paths=paths, setup=setup)
        return self

    @property
    def effects(self) -> list[str]:
        """Names of the objects the clip simulates."""
        return [t["object"].name for t in self.tracks]

    def show(self, index: int) -> None:
        """Put frame `index`'s particles into every simulated object."""
        for track in self.tracks:
            frame = load(track["paths"][index])
            _set_points(track["object"], frame.positions, np.maximum(frame.radii, MIN_RADIUS_VOXELS * self.voxel))
            if "fireball" in track:  # the explosion cools as it spreads
                show_fireball(track["fireball"], frame.positions, frame.radii, (index + 1) / self.fps)

    def __exit__(self, *exc):
        for track in self.tracks:
            _give_back(track)
        self.tracks = []
        return False


def setup_of(effect, kind: str, floor_z: float, subject, desc, voxel: float, size) -> Setup:
    """The solver's Setup of a built effect: where its emitter is, in the scene's units. A pour's
    spout, stream width and pool come from the camera's frame (pour_spot) at the frame `size`."""
    lo, hi = world_bounds(subject)
    centre = tuple((a + b) / 2 for a, b in zip(lo, hi))
    radius = sum(b - a for a, b in zip(lo, hi)) / 6.0
    a = math.radians(desc.camera.main.azimuth_deg)
    common = dict(kind=kind, floor_z=floor_z, subject_centre=centre, subject_radius=radius,
                  facing=math.atan2(-math.cos(a), math.sin(a)))  # the camera's side (motion.py's azimuths)
    if effect.element == "gas":
        cx, cy, cz = effect.centre
        burning = effect.blackbody_kelvin is not None and effect.blackbody_intensity > 0
        if kind == "burst":
            return Setup(origin=(cx, cy, cz), size=effect.extent, height=effect.extent, burning=burning, **common)
        if effect.shape == "blob":  # a cloud: it billows up from its lower half
            return Setup(origin=(cx, cy, max(floor_z, cz - 0.5 * effect.extent)), size=effect.extent,
                         height=1.5 * effect.extent, burning=burning, turbulence=effect.turbulence, **common)
        return Setup(origin=(cx, cy, floor_z + cz), size=effect.extent, height=effect.height, burning=burning,
                     turbulence=effect.turbulence, **common)
    form, t = effect.form, thickness(effect.viscosity)
    if kind == "pour":  # a spout above a spot in view, beside the subject where there is room
        spot = place_pour(desc, lo, hi, floor_z, size, form, effect.viscosity, voxel)
        return Setup(origin=(*spot.landing, spot.top), size=spot.stream_radius, height=spot.top - floor_z,
                     viscosity=effect.viscosity, reach=spot.pool_reach, **common)
    if kind == "splash":  # thrown up around the subject's foot, its crown below the subject's top (as the still's)
        crown = min(max(form.height, 0.2), SPLASH_SHARE * (hi[2] - floor_z))
        return Setup(origin=(centre[0], centre[1], floor_z + 0.02), size=max(hi[0] - lo[0], hi[1] - lo[1]) / 2 * 1.05,
                     height=crown, viscosity=effect.viscosity, **common)
    return Setup(origin=centre, size=radius, height=form.height, viscosity=effect.viscosity, **common)


# ---------------------------------------------------------------- the objects
def _take_over(obj, effect, kind: str, voxel: float) -> dict:
    """Give `obj` a points mesh and the modifier that turns it into the effect; remember what
    it had."""
    track = {"object": obj, "data": obj.data}
    obj.data.use_fake_user = True  # kept while the clip borrows the object
    mesh = bpy.data.meshes.new(obj.name + "_particles")
    obj.data = mesh
    if kind == "burst" and effect.blackbody_kelvin is not None:  # a fireball: heat from its heart
        material, track["fireball"] = fireball_material(SIM_GAS_MATERIAL, effect)
        group = _node_group(obj.name, voxel, material, surface=False)
    elif effect.element == "gas":
        material = _gas_material(effect)
        group = _node_group(obj.name, voxel, material, surface=False)
    else:
        material = liquid_material(effect)
        group = _node_group(obj.name, voxel, material, surface=True)
    modifier = obj.modifiers.new(MODIFIER, "NODES")
    modifier.node_group = group
    track["group"] = group
    return track


def _give_back(track: dict) -> None:
    obj = track["object"]
    modifier = obj.modifiers.get(MODIFIER)
    if modifier is not None:
        obj.modifiers.remove(modifier)
    borrowed = obj.data
    obj.data = track["data"]
    track["data"].use_fake_user = False
    if borrowed is not None and borrowed.users == 0:
        bpy.data.meshes.remove(borrowed)
    bpy.data.node_groups.remove(track["group"])


def _set_points(obj, positions: np.ndarray, radii: np.ndarray) -> None:
    """A fresh vertex-only mesh of the frame's particles, with their radii as an attribute."""
    mesh = bpy.data.meshes.new(obj.name + "_particles")
    mesh.vertices.add(len(positions))
    mesh.vertices.foreach_set("co", np.ascontiguousarray(positions, dtype=np.float32).ravel())
    attribute = mesh.attributes.new(RADIUS, "FLOAT", "POINT")
    attribute.data.foreach_set("value", np.ascontiguousarray(radii, dtype=np.float32))
    mesh.update()
    old = obj.data
    obj.data = mesh
    if old is not None and old.users == 0:
        bpy.data.meshes.remove(old)


def _node_group(name: str, voxel: float, material, surface: bool):
    """Points (with radii) -> a fog volume; for a liquid, -> its surface mesh, smooth-shaded."""
    group = bpy.data.node_groups.new(f"{name}_simulation", "GeometryNodeTree")
    group.interface.new_socket("Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
    group.interface.new_socket("Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
    nodes, links = group.nodes, group.links
    source, sink = nodes.new("NodeGroupInput"), nodes.new("NodeGroupOutput")
    points = nodes.new("GeometryNodeMeshToPoints")
    radius = nodes.new("GeometryNodeInputNamedAttribute")
    radius.data_type = "FLOAT"
    radius.inputs["Name"].default_value = RADIUS
    volume = nodes.new("GeometryNodePointsToVolume")
    volume.inputs["Resolution Mode"].default_value = "Size"
    volume.inputs["Voxel Size"].default_value = voxel
    volume.inputs["Density"].default_value = 1.0
    links.new(source.outputs[0], points.inputs["Mesh"])
    links.new(points.outputs[0], volume.inputs["Points"])
    links.new(radius.outputs["Attribute"], volume.inputs["Radius"])
    result = volume.outputs[0]
    if surface:
        mesh = nodes.new("GeometryNodeVolumeToMesh")
        mesh.inputs["Resolution Mode"].default_value = "Size"
        mesh.inputs["Voxel Size"].default_value = voxel
        mesh.inputs["Threshold"].default_value = LIQUID_THRESHOLD
        links.new(result, mesh.inputs["Volume"])
        smooth = nodes.new("GeometryNodeSetShadeSmooth")
        links.new(mesh.outputs[0], smooth.inputs["Geometry"])
        result = smooth.outputs[0]
    paint = nodes.new("GeometryNodeSetMaterial")
    paint.inputs["Material"].default_value = material
    links.new(result, paint.inputs["Geometry"])
    links.new(paint.outputs[0], sink.inputs[0])
    return group


def _gas_material(g):
    """Principled Volume reading the particles' density grid: the gas's colour and absorption;
    a burning gas glows in its blackbody colour where it is dense, an emitting one in its own."""
    mat, vol = volume_shader(SIM_GAS_MATERIAL, g)
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    vol.inputs["Density"].default_value = GAS_DENSITY * g.density_value
    vol.inputs["Blackbody Intensity"].default_value = 0.0
    if g.blackbody_kelvin is not None and g.blackbody_intensity > 0:  # hot where dense: core to tips
        tip = g.tip_kelvin if g.tip_kelvin is not None else g.blackbody_kelvin
        heat = _clamped(nodes, links, _density(nodes), 1.0 / FLAME_CORE_DENSITY)
        kelvin = _math(nodes, links, "MULTIPLY_ADD", heat, g.blackbody_kelvin - tip, tip)
        blackbody = nodes.new("ShaderNodeBlackbody")
        links.new(kelvin, blackbody.inputs["Temperature"])
        links.new(blackbody.outputs["Color"], vol.inputs["Emission Color"])
        strength = FIRE_GLOW * g.blackbody_intensity * g.density
        links.new(_math(nodes, links, "MULTIPLY", _density(nodes), strength), vol.inputs["Emission Strength"])
    elif g.emission_color is not None and g.emission_strength > 0:
        vol.inputs["Emission Color"].default_value = (*g.emission_color, 1.0)
        links.new(_math(nodes, links, "MULTIPLY", _density(nodes), g.emission_strength), vol.inputs["Emission Strength"])
    return mat


def _density(nodes):
    attribute = nodes.new("ShaderNodeAttribute")
    attribute.attribute_name = "density"
    return attribute.outputs["Fac"]


def _math(nodes, links, operation, a, b, c=None):
    node = nodes.new("ShaderNodeMath")
    node.operation = operation
    for index, value in enumerate((a, b, c)[:3 if c is not None else 2]):
        if isinstance(value, (int, float)):
            node.inputs[index].default_value = value
        else:
            links.new(value, node.inputs[index])
    return node.outputs[0]


def _clamped(nodes, links, value, scale):
    node = nodes.new("ShaderNodeMath")
    node.operation = "MULTIPLY"
    node.use_clamp = True
    links.new(value, node.inputs[0])
    node.inputs[1].default_value = scale
    return node.outputs[0]
