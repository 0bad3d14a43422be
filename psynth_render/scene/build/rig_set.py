"""The studio set of a multi-view sample: a sweep or wall placed for one camera shows its edges
(and the void past them) to cameras on the other side, above or below it, so a rig of several
views gets the closed round studio (`meshes.room_shape`: floor, cove, wall and ceiling) that a
moving camera gets, wide enough to hold every view's camera.

Backgrounds without a set need nothing: `floor` shows the world above its horizon, `sky` and
`void` are the world itself, and the world covers every direction.
"""

import math

from psynth_render.scene.build.framing import ROOM_MARGIN, room_radius
from psynth_render.scene.build.motion import still_pose


def set_radius(desc, floor_z, bend):
    """The round studio's radius (None: the flat sweep or wall covers the view): `room_radius`
    of the main view's clip, widened past every still camera of a multi-view rig."""
    room = room_radius(desc, floor_z, bend)
    views = len(desc.camera.views)
    if views < 2:
        return room
    reach = 0.0
    for view in range(views):
        location = still_pose(desc, floor_z, view)["location"]
        reach = max(reach, math.hypot(location[0], location[1]), location[2] - floor_z)
    return max(room or 0.0, reach + ROOM_MARGIN + bend)
