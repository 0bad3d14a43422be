"""Where the camera is at a moment of a clip: one of the Scene's views (describe.model.CameraView,
the main one unless asked), moved by its `movement` (describe.model.Movement).

Pure math (no bpy) so the worker can annotate video frames and the builder poses the camera
with the same function. Conventions: Z up; camera azimuth 0 puts the camera on -Y looking
toward +Y (azimuths turn counter-clockwise seen from above, 90 = camera on +X); elevation is
above the horizontal. Movement amounts are totals reached at the end of the clip.
"""

import math
import random


def _ease(t, easing):
    return t if easing == "LINEAR" else t * t * (3 - 2 * t)


def _wobble(seed, seconds, frequency):
    """Five smooth seeded signals in -1..1 (x, y, z, yaw, pitch): sums of sines, seeded phases."""
    rng = random.Random(seed)
    out = []
    for _ in range(5):
        total = 0.0
        for octave in range(3):
            rate = frequency * rng.uniform(0.7, 1.3) * (2**octave)
            total += math.sin(2 * math.pi * rate * seconds + rng.uniform(0, 2 * math.pi)) / (2**octave)
        out.append(total / 1.75)
    return out


def _direction(azimuth_deg, elevation_deg):
    a, e = math.radians(azimuth_deg), math.radians(elevation_deg)
    return (math.sin(a) * math.cos(e), -math.cos(a) * math.cos(e), math.sin(e))


def camera_pose(desc, t, floor_z=None, view=0):
    """Camera pose of view number `view` at clip time `t` (0..1). See camera_at_frame for the
    returned fields."""
    cam = desc.camera.views[view]
    move = cam.movement
    e = _ease(t, move.easing)
    target = list(cam.target)
    distance = cam.distance * (1 + move.dolly * e)
    azimuth = cam.azimuth_deg + move.orbit_deg * e
    location = [target[k] + distance * d for k, d in enumerate(_direction(azimuth, cam.elevation_deg))]
    right = (math.cos(math.radians(azimuth)), math.sin(math.radians(azimuth)), 0.0)
    truck, pedestal = move.truck * e, move.pedestal * e
    for k in range(3):
        shift = truck * right[k] + (pedestal if k == 2 else 0.0)
        location[k] += shift
        target[k] += shift
    location[2] += move.crane * e  # crane: rise, still aimed at the subject
    yaw, pitch = turn_sweep(cam, move.pan_deg) * (e - 0.5), turn_sweep(cam, move.tilt_deg) * (e - 0.5)
    roll = cam.roll_deg + move.roll_deg * e
    if move.shake_amplitude or move.shake_rotation_deg:
        seconds = t * move.clip_seconds
        w = _wobble(desc.seed, seconds, move.shake_frequency_hz or 1.0)
        amp = move.shake_amplitude
        location = [location[k] + amp * w[k] for k in range(3)]
        target = [target[k] + amp * w[k] for k in range(3)]
        yaw += move.shake_rotation_deg * w[3]
        pitch += move.shake_rotation_deg * w[4]
    clearance = cam.floor_clearance
    if cam.lens.lens_type == "ORTHO" and clearance is not None and pitch > 0:
        pitch = min(pitch, max(0.0, -ORTHO_MIN_DOWN_DEG - _incline_deg(location, target)))
    if yaw or pitch:
        target = _turn(location, target, math.radians(yaw), math.radians(pitch))
    if floor_z is not None and clearance is not None and location[2] < floor_z + clearance:
        location = _lift(location, target, floor_z + clearance)
    zoom = 1 + (move.zoom - 1) * e
    ortho_scale = cam.ortho_scale * distance / cam.distance / zoom
    if cam.lens.lens_type == "ORTHO" and floor_z is not None and clearance is not None:
        location, target = _ortho_above_floor(location, target, ortho_scale,
                                              floor_z + clearance + ortho_aperture_radius(cam))
    return {
        "location": location,
        "target": target,
        "roll_deg": roll,
        "focal_length": cam.focal_length * zoom,
        "ortho_scale": ortho_scale,
        "time": t,
    }


ORTHO_MIN_DOWN_DEG = 4.0
"""An orthographic camera over a floor tilts up no further than this far below the horizon:
looking down, it clears the floor by backing along its view (the picture stays); looking level
it must be raised with its aim, which slides the picture by up to half the frame and cut the
subject at the frame's foot (stylized_motion 150, a tilt up at close_up)."""


def _incline_deg(location, target):
    """The aim's angle above the horizontal (degrees; negative looking down)."""
    d = [target[k] - location[k] for k in range(3)]
    return math.degrees(math.atan2(d[2], math.hypot(d[0], d[1])))


TURN_FOV_SHARE = 0.5
"""A pan or tilt sweeps at most this share of a perspective lens's field of view (zoom left out)."""


def turn_sweep(cam, degrees):
    """A pan's or tilt's total turn (degrees): `degrees`, centred on the subject (from -half
    to +half of it over the clip) and, for a perspective lens, at most TURN_FOV_SHARE of its
    field of view, so the subject stays in every frame and the framing can keep it whole."""
    if cam.lens.lens_type != "PERSP" or not degrees:
        return degrees
    fov = 2 * math.degrees(math.atan(0.5 * cam.sensor_width / cam.focal_length))
    return math.copysign(min(abs(degrees), TURN_FOV_SHARE * fov), degrees)


def camera_at_frame(desc, frame=0, frames=1, floor_z=None):
    """Camera pose at `frame` of a clip of `frames` frames.

    `floor_z` is the floor height the builder put down (its camera info holds it); with a
    floor, the camera stays above it. Returns plain floats: `location` and `target` (xyz the
    camera looks at), `roll_deg`, `focal_length` (mm), `ortho_scale`, `time` (0..1).
    """
    return camera_pose(desc, frame / (frames - 1) if frames > 1 else 0.0, floor_z)


def still_pose(desc, floor_z=None, view=0):
    """The pose a still image of view number `view` uses: the movement's `still_at` point."""
    return camera_pose(desc, desc.camera.views[view].movement.still_at, floor_z, view)


def _lift(location, target, height):
    """Raise the camera to `height` (above the floor), moving it outward so that it stays as
    far from the target as before: a worm's-eye view from the floor, not from under it."""
    d = [location[k] - target[k] for k in range(3)]
    reach = math.sqrt(sum(c * c for c in d))
    rise = height - target[2]
    across = math.hypot(d[0], d[1])
    wanted = math.sqrt(max(reach * reach - rise * rise, 0.0))
    if across < 1e-9:
        return [location[0], location[1], height]
    scale = max(wanted, across) / across
    return [target[0] + d[0] * scale, target[1] + d[1] * scale, height]


def ortho_aperture_radius(cam):
    """How far around its image plane an orthographic camera with depth of field starts its rays
    (scene units): Cycles opens its aperture to 1 / (2 f-number), stretched by the aperture
    ratio (the blades' anamorphic squeeze); 0 without depth of field. A plane kept only its own
    half-size above the floor let these rays start under it (void speckle at the frame's foot)."""
    if not cam.dof:
        return 0.0
    ratio = getattr(cam.lens, "aperture_ratio", 1.0) or 1.0
    return max(ratio, 1.0 / ratio) / (2.0 * max(cam.scene_fstop, 1e-5))


ORTHO_BACK_LIMIT = 300.0
"""How far back along its view an orthographic camera may move to clear the floor."""


def _ortho_above_floor(location, target, ortho_scale, floor):
    """An orthographic camera's rays start on its whole image plane, half `ortho_scale` around
    it (up to its half-diagonal, rolled): one looking down is moved back along its view (the
    picture stays the same) until the plane's lowest point is above `floor`, so no ray starts
    under the floor; one looking level or up is raised with its aim (the picture slides down).
    Returns (location, target)."""
    d = [target[k] - location[k] for k in range(3)]
    length = math.sqrt(sum(c * c for c in d)) or 1.0
    down = -d[2] / length  # sine of the angle below the horizontal
    # the half-diagonal of a square plane: its lowest point whatever the roll
    lowest = location[2] - 0.5 * math.sqrt(2.0) * ortho_scale * math.sqrt(max(0.0, 1 - down * down))
    if lowest >= floor:
        return location, target
    if down <= 0.05:
        lift = floor - lowest
        return [location[0], location[1], location[2] + lift], [target[0], target[1], target[2] + lift]
    back = min((floor - lowest) / down, ORTHO_BACK_LIMIT)
    return [location[k] - d[k] / length * back for k in range(3)], target


def _turn(location, target, yaw, pitch):
    """Turn the aim direction by yaw (about Z) and pitch (toward +Z), keeping its length."""
    d = [target[k] - location[k] for k in range(3)]
    length = math.sqrt(sum(c * c for c in d)) or 1.0
    heading = math.atan2(d[1], d[0]) + yaw
    incline = max(-1.55, min(1.55, math.atan2(d[2], math.hypot(d[0], d[1])) + pitch))
    return [
        location[0] + length * math.cos(incline) * math.cos(heading),
        location[1] + length * math.cos(incline) * math.sin(heading),
        location[2] + length * math.sin(incline),
    ]
