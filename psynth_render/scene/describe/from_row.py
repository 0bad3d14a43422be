"""Resolve one samples-table row into a typed scene (model.Scene): no taxonomy needed after.

The scene is the contract between the sampler's world (axes, concepts) and the builder's
(bpy): every number the builder uses is resolved here from the taxonomy's render parameters,
so the builder and a generated standalone script need nothing but the scene. The parts are
first assembled as plain dicts (effects.py restyles them in place), then validated into the
model's classes.
"""

import math
from typing import Any

from psynth_render.scene.describe import effects
from psynth_render.scene.describe.assets import asset_ref, object_asset_ref
from psynth_render.scene.describe.shape_params import GENERATOR_AXES, apply_generator_axes, resolve_params
from psynth_render.scene.describe import model as m
from psynth_render.scene.describe.axes import NOT_YET_RENDERED, RENDERED_AXES
from psynth_render.scene.describe.blackbody import kelvin_to_rgb, white_balance
from psynth_render.scene.describe.camera_rig import rig_angles, view_names
from psynth_render.scene.describe.placement import arrange, framing_radius, group_centre
from psynth_render.scene.describe.sightlines import Lens
from psynth_spec.errors import PsynthError
from psynth_spec.objects_axis import COUNT_AXIS, MAX_OBJECTS
from psynth_spec.render_params import Light, LightingParams, light_kelvin, render_params
from psynth_spec.spec import ObjectsSpec, Spec
from psynth_spec.taxonomy import ConceptDefault, Taxonomy

SUBJECT_NAME = m.SceneObject.model_fields["name"].default
OBJECT_PREFIX = "psynth_object_"
"""Blender names of the objects beside the subject: psynth_object_1, psynth_object_2, ..."""
SENSOR_WIDTH_MM = 36.0
CAMERA_FLOOR_CLEARANCE = 0.05
"""How far above the floor (object radii) the camera must stay."""
SUBJECT_RADIUS_M = 0.1
"""The physical radius one scene unit stands for, for depth of field only: a tabletop subject
(20 cm across), so f-numbers blur as they would for one. Framing does not depend on it."""


class SceneError(PsynthError):
    """A row that cannot be turned into a scene (unknown concept, missing seed...)."""


def describe(row: dict[str, Any], spec: Spec, taxonomy: Taxonomy) -> m.Scene:
    """The typed scene of one sample.

    Args:
        row: one samples-table row: `sample_id`, `seed`, one column per registry axis
            (categorical values relative to the axis domain; null = the registry default).
        spec: the compiled spec (render block: engine, samples, resolution, format; video).
        taxonomy: the taxonomy the spec was compiled against.
    Returns:
        The typed scene (psynth_render.scene.describe.model.Scene).
    """
    values = _axis_values(row, spec, taxonomy)
    seed = row.get("seed")
    if seed is None:
        raise SceneError("the row has no seed")
    seed = int(seed)

    params = _params_reader(taxonomy, values)
    style = effects.style_part(params)
    colour = effects.colour_part(values, params)
    material = _material(values, params)
    effects.restyle_material(material, style, colour)
    background = _background(params)
    effects.restyle_background(background, style, colour)
    lighting = _lighting(values, params, colour["kelvin_shift"], asset_ref(row, spec, "lighting.hdri"))
    effects.tint_lights(lighting["lights"], colour)
    geometry = _geometry(values, params, seed, {a for a in GENERATOR_AXES if _stated(spec, row, a)})
    geometry["flat"] = bool(style["flat_shading"])
    texture = effects.texture_part(values, params)
    asset = asset_ref(row, spec)
    placed = dict(element="subject", pass_index=1, location=(0.0, 0.0, 0.0), scale=1.0)  # centred, unit radius
    if asset is None:
        subject = m.SceneObject(**placed, geometry=geometry, material=material, texture=texture)
    else:  # a library asset replaces the shape; rotation and subdivision still apply
        geometry.update(concept=asset.id, generator="asset", params={})
        subject = m.AssetObject(**placed, geometry=geometry, material=material, texture=texture, asset=asset)
    camera = _camera(values, params, spec, row)
    views = _sight_views(camera, spec, seed)
    objects = [subject, *_extra_objects(row, spec, taxonomy, values, style, colour, seed, views, camera)]
    _frame_all(camera, objects)
    liquid = effects.liquid_part(values, params, seed)
    gas = effects.gas_part(values, params, seed, camera["distance"])  # reaches the framed camera
    # a photographer meters on what glows: the subject's emission or the flames, the brighter
    lighting["metering_ev"] = metered_on_glow(lighting["metering_ev"], max(emission_glow(material), effects.flame_glow(gas)))
    return m.Scene(
        sample_id=row.get("sample_id"),
        seed=seed,
        axes=values,
        rendered_axes=sorted(a for a in values if a in RENDERED_AXES),
        not_rendered_axes=sorted(a for a in values if a in NOT_YET_RENDERED),
        objects=objects,
        effects=[*([m.LiquidEffect(**liquid)] if liquid else []), *([m.GasEffect(**gas)] if gas else [])],
        backdrop=background,
        lighting=lighting,
        camera=_rig(camera, spec, seed),
        render=_render(values, params, spec, seed),
        post=effects.post_part(values, params, seed),
        style=style,
        color=colour,
    )


def _params_reader(taxonomy: Taxonomy, values: dict[str, Any]):
    """`params(axis)` -> (concept name, its render parameters) for the values given."""

    def params(axis_path: str) -> tuple[str, Any]:
        axis = taxonomy.axis_by_path[axis_path]
        full = taxonomy.resolve(axis, str(values[axis_path]))
        if full is None:
            raise SceneError(f"{axis_path}: {values[axis_path]!r} is not a concept of {axis.domain}")
        return values[axis_path], render_params(taxonomy, full)

    return params


def _extra_objects(row, spec: Spec, taxonomy: Taxonomy, values, style, colour, seed: int,
                   views=(), camera=None) -> list[m.SceneObject]:
    """Objects 1.. of a multi-object row (the `objects_<axis>` list columns), placed on the
    ground around the subject or stacked on each other (placement.arrange, `scene.arrangement`).
    Each takes the subject's values but for its per-object axes, and the axes derived from them
    (`material.roughness` from its material, unless the spec states it); one that drew a library
    asset (`geometry.asset`) is an AssetObject. `views`: the camera directions the placement keeps every
    object visible from (`_sight_views`), as `camera` would see them (`sight_lens`)."""
    if spec.objects is None:
        return []
    by_axis = {c.axis: c for c in spec.columns}
    lists = {axis: row.get(ObjectsSpec.column(by_axis[axis].column)) or [] for axis in spec.objects.axes}
    count = min(max(int(values[COUNT_AXIS]), 1), MAX_OBJECTS)  # the lists are this long
    spots = arrange(count, seed, _params_reader(taxonomy, values)("scene.arrangement")[1].stack_share, views,
                    sight_lens(camera))
    stated = {c.axis for c in spec.columns if c.stated} | {st.axis for st in spec.objects.statements}
    out = []
    for k in range(1, count):
        own = dict(values)
        for axis, entries in lists.items():
            value = entries[k] if k < len(entries) else None
            own[axis] = by_axis[axis].null_value(own) if value is None else _typed(taxonomy, axis, value)
        for column in spec.columns:  # derived axes follow the object's own concept
            origin = taxonomy.axis_by_path[column.axis].default_from
            if isinstance(origin, ConceptDefault) and origin.axis in lists and column.axis not in stated:
                own[column.axis] = _derived(taxonomy, origin, own, column)
        params = _params_reader(taxonomy, own)
        material = _material(own, params)
        effects.restyle_material(material, style, colour)
        obj_seed = (seed + k * 1_000_003) % 2**31
        geometry = _geometry(own, params, obj_seed, stated & set(GENERATOR_AXES))
        geometry["flat"] = bool(style["flat_shading"])
        spot = spots[k]
        support = None if spot.support is None else _object_name(spot.support)
        fields = dict(
            element="object", name=_object_name(k), pass_index=k + 1, geometry=geometry,
            material=material, texture=effects.texture_part(own, params),
            location=(spot.x, spot.y, spot.scale - 1.0), scale=spot.scale, support=support,
        )
        asset = object_asset_ref(own.get("geometry.asset"), spec)
        if asset is None:
            out.append(m.SceneObject(**fields))
        else:  # as for the subject: the asset replaces the shape
            geometry.update(concept=asset.id, generator="asset", params={})
            out.append(m.AssetObject(**fields, asset=asset))
    return out


ORBIT_SIGHT_STEP_DEG = 30.0
"""An orbiting camera's directions that placement keeps objects apart from: one per this many
degrees of its sweep."""


def _sight_views(camera: dict[str, Any], spec: Spec, seed: int) -> list[tuple[float, float]]:
    """The (azimuth, elevation) directions the camera looks from: the main still's first, then a
    multi-view rig's other views and an orbit's sweep (placement.arrange keeps objects apart
    from each when it can, from the first at least)."""
    azimuth, elevation = camera["azimuth_deg"], camera["elevation_deg"]
    views = [(azimuth, elevation)]
    if spec.render.views > 1:
        views = rig_angles(spec.render.rig, spec.render.views, seed, azimuth, elevation,
                           upper_only=camera["floor_clearance"] is not None)
    orbit = float(camera["movement"].get("orbit_deg") or 0.0)
    steps = math.ceil(abs(orbit) / ORBIT_SIGHT_STEP_DEG)
    views += [(azimuth + orbit * i / steps, elevation) for i in range(1, steps + 1)]
    return views


GROUP_FILL = 0.9
"""About the share of the frame a group takes: the framing backs the camera away from the
subject's share until the whole group fits (build/framing.solve_framing), so the group spans
nearly the frame."""


def sight_lens(camera: dict[str, Any] | None):
    """The sightlines.Lens a perspective camera's framing gives (None: orthographic or
    panoramic, judged from far away; or a stated distance, which frames no share)."""
    if camera is None or camera["lens"]["lens_type"] != "PERSP" or camera["distance_stated"]:
        return None
    return Lens(camera["focal_length"], min(max(camera["framing_share"], GROUP_FILL), 1.0))


def _object_name(index: int) -> str:
    """The Blender name of object `index` (0: the subject)."""
    return SUBJECT_NAME if index == 0 else f"{OBJECT_PREFIX}{index}"


def _derived(taxonomy: Taxonomy, origin: ConceptDefault, values, column):
    """The render parameter `origin.param` of the concept `values[origin.axis]` (else the
    registry default), as registry_columns derives it for the subject."""
    full = taxonomy.resolve(taxonomy.axis_by_path[origin.axis], str(values[origin.axis]))
    value = taxonomy.concepts[full].render.get(origin.param) if full else None
    if value is None:
        return column.fallback
    return int(value) if column.type == "int" else float(value) if column.type == "float" else value


def _typed(taxonomy: Taxonomy, axis: str, value):
    kind = taxonomy.axis_by_path[axis].type
    return int(value) if kind == "int" else float(value) if kind == "float" else value


def _frame_all(camera: dict[str, Any], objects: list[m.SceneObject]) -> None:
    """Aim at the group and widen the still's view so every object is in frame: the camera's
    target moves to the centre of the objects' footprint (a group beside the subject is not
    framed off-centre), and the subject fills the frame at radius 1, so distance and
    orthographic scale grow with the radius holding all objects about that centre."""
    centre = group_centre(objects)
    camera["target"] = [centre[0], centre[1], camera["target"][2]]
    radius = framing_radius(objects, centre)
    if radius > 1.0:
        camera["distance"] *= radius
        camera["ortho_scale"] *= radius


def _axis_values(row: dict[str, Any], spec: Spec, taxonomy: Taxonomy) -> dict[str, Any]:
    """Every registry axis's value: the samples row's, which holds every registry column; a null
    (a `when` that did not hold) takes the column's `null_value`, derived at check time."""
    values: dict[str, Any] = {}
    for column in sorted(spec.columns, key=lambda c: c.derive_from is not None):  # sources first
        value = row.get(column.column)
        values[column.axis] = column.null_value(values) if value is None else value
    for axis in taxonomy.axes:
        if axis.type in ("float", "int") and values[axis.path] is not None:
            values[axis.path] = float(values[axis.path]) if axis.type == "float" else int(values[axis.path])
        elif axis.type == "bool":
            values[axis.path] = bool(values[axis.path])
    return values


def _geometry(values, params, seed, stated: set[str]) -> dict[str, Any]:
    """The mesh part: the shape concept's parameters with the generator's stated axes written
    in (`stated`: those the spec states), then detail and proportion; the subdivision scheme
    and face topology from their concepts."""
    name, geo = params("geometry.shape")
    own = apply_generator_axes(geo.generator, geo.model_dump(mode="json"), values, stated)
    resolved = resolve_params(geo.generator, own, seed,
                              float(values["geometry.detail"]), float(values["geometry.proportion"]))
    return {
        "concept": name,
        "generator": geo.generator,
        "params": resolved,
        "subdivision": int(values["geometry.subdivision"]),
        "subdivision_scheme": params("geometry.subdivision_type")[1].scheme,
        "topology": params("geometry.topology")[1].mode,
        "rotation_deg": float(values["geometry.rotation"]),
        "seed": seed,
    }


def _material(values, params) -> dict[str, Any]:
    name, mat = params("material")
    out = mat.model_dump(mode="json")
    out.update(
        concept=name,
        roughness=values["material.roughness"],
        ior=values["material.ior"],
        subsurface=values["material.subsurface"],
    )
    return out


def _lighting(values, params, kelvin_shift=0.0, hdri_file: m.AssetRef | None = None) -> dict[str, Any]:
    """The rig at the kelvin axis's temperature shifted by the colour mood (clamped); a catalog
    environment image (`lighting.hdri`) replaces the setup's world, keeping its lamps."""
    name, setup = params("lighting.setup")
    kelvin = min(20000.0, max(1000.0, values["lighting.kelvin"] + kelvin_shift))
    key = values["lighting.key_azimuth"]
    world = setup.world.model_dump(mode="json")
    world["sun_azimuth_deg"] = key + setup.world.sun_azimuth_offset_deg
    # the world follows the white point too: tinted by how far the axis moves it from nominal
    world["tint"] = white_balance(kelvin, setup.kelvin)
    if setup.world.kind == "image":  # a real HDRI: turned and scaled by its own axes
        world["rotation_deg"] = values["lighting.hdri_rotation"]
        world["strength"] = setup.world.strength * values["lighting.hdri_strength"]
    if hdri_file is not None:
        world["file"] = hdri_file.model_dump()
        world["rotation_deg"] = values["lighting.hdri_rotation"]
        world["strength"] = (setup.world.strength if setup.world.kind == "image" else 1.0) * values["lighting.hdri_strength"]
    return {
        "concept": name,
        "kelvin": kelvin,
        "nominal_kelvin": setup.kelvin,
        "exposure": values["lighting.exposure"],
        "metering_ev": setup.metering_ev,
        "key_azimuth_deg": key,
        "lights": [_light(setup, light, kelvin, key) for light in setup.lights],
        "world": world,
    }


EMISSION_METER_LIMIT = 4.0
"""The brightest a glowing subject's own emission (strength times its colour's peak) is metered
to: where a dim setup's meter would push it past this, it opens up only that far."""


def emission_glow(material: dict[str, Any]) -> float:
    """A glowing subject's brightest emitted channel (strength times its colour's peak; 0 when it
    does not glow)."""
    strength = material.get("emission_strength") or 0.0
    colour = material.get("emission_color")
    return strength * max(colour) if strength > 0.0 and colour is not None else 0.0


def metered_on_glow(metering_ev: float, glow: float) -> float:
    """A setup's metering, read off what glows in the shot (`glow`: the brightest emitted
    channel, 0 for none): a photographer meters a lit sign or a campfire at night on the sign or
    the fire, not on the dark street, opening up only as far as keeps the glow at
    EMISSION_METER_LIMIT. An LED (emission 4) under night metering (+2.5 EV) was exposed at 5.7
    times its glow and rendered as a white frame (vfx_elements 69, 119), and saturated flames blew
    out to a white blot; a shot where nothing glows keeps the setup's metering."""
    if glow <= 0.0 or metering_ev <= 0.0:
        return metering_ev
    return max(0.0, min(metering_ev, math.log2(EMISSION_METER_LIMIT / glow)))


def _light(setup: LightingParams, light: Light, kelvin: float, key: float) -> dict[str, Any]:
    """One light, its colour resolved to linear RGB with peak 1 and the power scaled to match.

    A white light takes the black-body colour of its kelvin at luminance 1 (the power keeps
    its brightness whatever the temperature); an explicitly coloured light keeps its colour,
    shifted by the axis's white balance.
    """
    k = light_kelvin(setup, light, kelvin)
    if light.color is not None:
        rgb = [c * g for c, g in zip(light.color, white_balance(kelvin, setup.kelvin))]
    else:
        rgb = kelvin_to_rgb(k)
    peak = max(rgb) or 1.0
    out = light.model_dump(mode="json")
    out.update(
        azimuth_deg=key + light.azimuth_offset_deg,
        kelvin=k,
        rgb=[c / peak for c in rgb],
        power=light.power * peak,  # Blender's colour channels stop at 1: carry the rest here
    )
    return out


def _background(params) -> dict[str, Any]:
    name, bg = params("scene.background")
    out = bg.model_dump(mode="json")
    out["concept"] = name
    return out


def _floor_clearance(values, move, focal) -> float:
    """How far above the floor the camera stays: CAMERA_FLOOR_CLEARANCE, or with depth of field
    past the aperture's radius (Blender's: focal length in metres over twice the scene f-number),
    so no lens ray starts under the floor and sees the void."""
    if not values["camera.dof"]:
        return CAMERA_FLOOR_CLEARANCE
    longest = focal * max(1.0, move.zoom)
    aperture = longest * 1e-3 / (2 * values["camera.fstop"] * SUBJECT_RADIUS_M)
    return max(CAMERA_FLOOR_CLEARANCE, 1.5 * aperture)


def _stated(spec: Spec, row: dict[str, Any], axis_path: str) -> bool:
    """Whether the row states the axis: a value (not null: a `when` that does not hold leaves
    it null) in a column the spec states, or a value other than the column's default (rows
    made by hand, where unstated columns are null)."""
    column = next((c for c in spec.columns if c.axis == axis_path), None)
    if column is None:
        return False
    value = row.get(column.column)
    return value is not None and (column.stated or value != column.default)


def _camera(values, params, spec: Spec, row_values: dict[str, Any]) -> dict[str, Any]:
    angle_name, angle = params("camera.angle")
    lens_name, lens = params("camera.lens")
    move_name, move = params("camera.movement")
    framing_name, framing = params("camera.framing")
    _, background = params("scene.background")
    stated = _stated(spec, row_values, "camera.distance")
    # stated: the angle's closeness scales it; else the builder solves it from the framing
    distance = values["camera.distance"] * (angle.distance_scale if stated else 1.0)
    focal = values["camera.focal_length"]
    movement = move.model_dump(mode="json")
    movement["concept"] = move_name
    movement["clip_seconds"] = spec.video.frames / spec.video.fps if spec.video else 4.0
    movement["frames"] = spec.video.frames if spec.video and "video" in spec.outputs else 0
    return {
        "angle": angle_name,
        "lens": dict(lens.model_dump(mode="json"), concept=lens_name),
        "movement": movement,
        "focal_length": focal,
        "fstop": values["camera.fstop"],
        # the aperture scales with the scene: f/N at SUBJECT_RADIUS_M metres per scene unit
        "scene_fstop": values["camera.fstop"] * SUBJECT_RADIUS_M,
        "subject_radius_m": SUBJECT_RADIUS_M,
        "dof": values["camera.dof"],
        "distance": distance,
        "azimuth_deg": angle.azimuth_offset_deg,
        "elevation_deg": angle.elevation_deg,
        "roll_deg": angle.roll_deg,
        "target": [0.0, 0.0, angle.target_height],
        "sensor_width": SENSOR_WIDTH_MM,
        # orthographic: subject diameter x distance/3 x factor (what the lens concept promises)
        "ortho_scale": lens.ortho_scale_factor * 2.0 * values["camera.distance"] / 3.0,
        # the builder stores the floor height; the camera never goes below it plus this
        "floor_clearance": _floor_clearance(values, move, focal) if background.kind in ("sweep", "floor", "wall") else None,
        "horizontal_fov_deg": math.degrees(2 * math.atan(SENSOR_WIDTH_MM / (2 * focal))),
        "framing": framing_name,
        "framing_share": framing.share,
        "framing_crop": framing.crop,
        "distance_stated": stated,
    }


def _rig(camera: dict[str, Any], spec: Spec, seed: int) -> m.CameraRig:
    """The sample's cameras: the main view, or `views N` copies of it placed by the rig."""
    count, rig = spec.render.views, spec.render.rig
    if count == 1:
        return m.CameraRig(views=[m.CameraView(**camera)])
    angles = rig_angles(rig, count, seed, camera["azimuth_deg"], camera["elevation_deg"],
                        upper_only=camera["floor_clearance"] is not None)
    views = [m.CameraView(**dict(camera, name=name, azimuth_deg=az, elevation_deg=el))
             for name, (az, el) in zip(view_names(rig, count), angles)]
    return m.CameraRig(views=views, rig=rig)


def _render(values, params, spec: Spec, seed: int) -> dict[str, Any]:
    name, engine = params("render.engine")
    out = engine.model_dump(mode="json")
    out.update(
        concept=name,
        engine=engine.blender_engine,
        samples=int(values["render.samples"]),
        width=spec.render.width,
        height=spec.render.height,
        format=spec.render.format,
        seed=seed % (2**31),
    )
    return out
