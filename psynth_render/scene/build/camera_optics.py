"""The camera's optics as bpy camera-data assignments: one table, two users (like render_settings).

    OPTICS_FIELDS                       the CameraView fields a lens states along with its Lens
    HOUSE_CAMERA                        psynth's fixed lens conventions, the same for every sample
    BLENDER_CAMERA_DEFAULTS             what a new bpy camera holds (a scene script leaves these out)
    optics_assignments(lens, **fields) -> [(path, value)]   what a view's lens sets on the camera
    apply_paths(owner, pairs)           sets them on a bpy object (paths like `dof.aperture_fstop`)
    optics_from_camera(cam) -> (lens fields, view fields)    the optics read back from bpy

The builder's camera step sets the table on a new camera (builder.camera_data); a scene script
writes the same table as literal `camera.<path> = value` lines (scene_code_parts), leaving out
what a new camera already holds. The build then reads the optics back from the bpy camera
(`optics_from_camera`), so the framing solve and the camera moves use what the script stated.
What depends on the pose (the zoomed focal length, the solved orthographic scale, the focus
distance) is set when the camera is posed. Pure data: no bpy import.
"""

import math

OPTICS_FIELDS = ("focal_length", "sensor_width", "ortho_scale", "dof", "scene_fstop")
"""CameraView fields that are the camera's optics (with its `lens`): a scene script states them
in bpy and leaves them None in its data."""

HOUSE_CAMERA = [("sensor_fit", "AUTO"), ("clip_start", 0.01), ("clip_end", 2000.0)]
"""Every psynth camera's fit and clip range (scene units: the subject has unit radius)."""

BLENDER_CAMERA_DEFAULTS = {
    "type": "PERSP", "lens": 50.0, "sensor_width": 36.0, "ortho_scale": 6.0, "shift_x": 0.0, "shift_y": 0.0,
    "panorama_type": "FISHEYE_EQUISOLID", "fisheye_fov": math.pi, "fisheye_lens": 10.5,
    "dof.use_dof": False, "dof.aperture_fstop": 2.8, "dof.aperture_ratio": 1.0, "dof.aperture_blades": 0,
}
"""A new bpy camera's values of the paths optics_assignments sets (Blender 5; a test reads
them from bpy). Values are compared as float32, as Blender stores them."""


def optics_assignments(lens, focal_length, sensor_width, ortho_scale, dof, scene_fstop):
    """(path on the camera data, value) pairs for a lens and a view's optics: only what can
    change the image (a perspective lens's orthographic scale, an aperture without depth of
    field are left as a new camera has them)."""
    pairs = [("type", lens.lens_type), ("sensor_width", sensor_width), ("lens", focal_length)]
    if lens.lens_type == "ORTHO":  # set again when posed; other lenses have no use for it
        pairs.append(("ortho_scale", ortho_scale))
    pairs += [("shift_x", lens.shift_x), ("shift_y", lens.shift_y)]
    if lens.lens_type == "PANO":
        pairs += [("panorama_type", lens.panorama_type), ("fisheye_fov", math.radians(lens.fisheye_fov_deg)),
                  ("fisheye_lens", lens.fisheye_lens_mm)]
    pairs.append(("dof.use_dof", bool(dof)))
    if dof:  # the aperture only matters with depth of field
        pairs += [("dof.aperture_fstop", scene_fstop), ("dof.aperture_ratio", lens.aperture_ratio),
                  ("dof.aperture_blades", lens.aperture_blades)]
    return pairs


def apply_paths(owner, pairs):
    """Set each (dotted path, value) on `owner` (a bpy camera data block)."""
    for path, value in pairs:
        head, _, attribute = path.rpartition(".")
        target = owner
        for part in filter(None, head.split(".")):
            target = getattr(target, part)
        setattr(target, attribute, value)


def optics_from_camera(cam):
    """(Lens fields, CameraView fields of OPTICS_FIELDS) of a bpy camera's data, as its scene
    script left it. The lens's concept is not bpy's to know: "bpy" (scripts name it in a comment)."""
    lens = {"concept": "bpy", "lens_type": cam.type, "shift_x": cam.shift_x, "shift_y": cam.shift_y,
            "aperture_ratio": cam.dof.aperture_ratio, "aperture_blades": cam.dof.aperture_blades}
    if cam.type == "PANO":
        lens.update(panorama_type=cam.panorama_type, fisheye_lens_mm=cam.fisheye_lens,
                    fisheye_fov_deg=min(360.0, math.degrees(cam.fisheye_fov)))  # float32 radians round up
    view = {"focal_length": cam.lens, "sensor_width": cam.sensor_width, "ortho_scale": cam.ortho_scale,
            "dof": bool(cam.dof.use_dof), "scene_fstop": cam.dof.aperture_fstop}
    return lens, view
