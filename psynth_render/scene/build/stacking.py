"""Resting an object on whatever is below it: the floor or the objects already built.

The describe side puts a stacked object over the object it stands on (describe/placement.py);
here it is lowered straight down until it touches: the drop is the least vertical gap between
the two meshes, measured both ways with ray casts on BVH trees of the evaluated meshes
(each of its vertices down onto the others, each of their vertices up onto it), so a vertex
meeting a face from either side stops it. The floor is a plane under everything. Imports only
bpy, mathutils and numpy, so it is inlined into standalone scene scripts.
"""

import math

import bpy
import numpy as np
from mathutils import Vector
from mathutils.bvhtree import BVHTree

from psynth_render.scene.build.object_info import world_vertices

CONTACT_GAP = 0.002
"""Clearance left between an object and the surface it rests on (a face lying on another would
flicker and count as an intersection)."""

_DOWN, _UP = Vector((0.0, 0.0, -1.0)), Vector((0.0, 0.0, 1.0))


def evaluated_tree(obj, depsgraph):
    """(BVH tree in world space, world vertices) of the evaluated object (modifiers applied)."""
    points, polygons = _evaluated_mesh(obj, depsgraph)
    return _bvh(points, polygons), points


def _evaluated_mesh(obj, depsgraph):
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        polygons = [tuple(p.vertices) for p in mesh.polygons]
    finally:
        evaluated.to_mesh_clear()
    return world_vertices(obj, depsgraph), polygons


def _bvh(points, polygons):
    return BVHTree.FromPolygons([tuple(p) for p in points], polygons)


def vertical_gap(points, tree, other_points, other_tree):
    """Least vertical distance from the mesh (`points`, `tree`) down to the other one below it,
    or None where no vertical line meets both (their footprints do not overlap). Rays are cast
    from the vertices nearest the other mesh first, and stop once no further vertex can come
    closer (a dense subdivided mesh casts only the rays of its lowest band)."""
    best = math.inf
    top = other_points[:, 2].max()
    for p in _over(points, other_points, descending=False):
        if p[2] - top >= best:
            break
        hit = other_tree.ray_cast(Vector(p), _DOWN)[0]
        if hit is not None:
            best = min(best, p[2] - hit.z)
    bottom = points[:, 2].min()
    for q in _over(other_points, points, descending=True):
        if bottom - q[2] >= best:
            break
        hit = tree.ray_cast(Vector(q), _UP)[0]
        if hit is not None:
            best = min(best, hit.z - q[2])
    return None if best == math.inf else best


def _over(points, other_points, descending):
    """The `points` inside the other mesh's footprint (xy bounds), by height."""
    lo, hi = other_points[:, :2].min(axis=0), other_points[:, :2].max(axis=0)
    inside = points[np.all((points[:, :2] >= lo) & (points[:, :2] <= hi), axis=1)]
    order = np.argsort(inside[:, 2])
    return inside[order[::-1] if descending else order]


def lowest_point(obj):
    """World height of the evaluated object's lowest point (modifiers applied): its bounding
    box's lowest corner, exact when the object turns about Z only; else (a flat shape tilted
    toward the camera) its lowest vertex."""
    return min(_heights(obj))


def highest_point(obj):
    return max(_heights(obj))


def _heights(obj):
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    evaluated = obj.evaluated_get(depsgraph)
    matrix = evaluated.matrix_world
    if abs(matrix[2][0]) > 1e-9 or abs(matrix[2][1]) > 1e-9:  # tilted: the box's corners stick out
        return world_vertices(obj, depsgraph)[:, 2]
    return [(matrix @ Vector(corner)).z for corner in evaluated.bound_box]


def rest_on_floor(obj, floor_z, floor_gap):
    """Lower or raise `obj` so its evaluated lowest point is `floor_gap` above the floor."""
    obj.location.z = 0.0
    obj.location.z = floor_z + floor_gap - lowest_point(obj)


def rest_on_below(obj, below, floor_z, floor_gap, trees=None):
    """Lower `obj` (placed above everything in `below`) onto the highest surface under it: the
    floor (`floor_gap` above `floor_z`) or one of `below` whose footprint meets its own.
    `trees` caches the objects of `below` (they no longer move) by name across calls. Returns
    the name of the object it rests on, or None for the floor."""
    trees = {} if trees is None else trees
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    points, polygons = _evaluated_mesh(obj, depsgraph)
    tree = _bvh(points, polygons)
    drop, support = points[:, 2].min() - (floor_z + floor_gap), None
    lo, hi = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    under = []
    for other in below:
        corners = np.array([other.matrix_world @ Vector(c) for c in other.evaluated_get(depsgraph).bound_box])
        if np.any(corners[:, :2].max(axis=0) < lo) or np.any(corners[:, :2].min(axis=0) > hi):
            continue  # side by side: nothing of it is under this object
        if other.name not in trees:
            trees[other.name] = evaluated_tree(other, depsgraph)
        other_tree, other_points = trees[other.name]
        under.append(other_tree)
        gap = vertical_gap(points, tree, other_points, other_tree)
        if gap is not None and gap - CONTACT_GAP < drop:
            drop, support = gap - CONTACT_GAP, other.name
    obj.location.z -= drop - _stop_short(points, polygons, drop, under)
    return support


def _stop_short(points, polygons, drop, under, steps=10):
    """How far to stop short of `drop` so the lowered mesh intersects none of `under`: 0 when
    the vertex rays found the contact; else (an edge crossing an edge, a mesh with holes such as
    the monkey's) the least clear height, by bisection to drop / 2**steps."""
    def clear(lift):
        moved = _bvh(points - np.array([0.0, 0.0, drop - lift]), polygons)
        return not any(moved.overlap(other) for other in under)

    if clear(0.0):
        return 0.0
    low, high = 0.0, drop  # high: where it started, above everything
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (low, middle) if clear(middle) else (middle, high)
    return high + CONTACT_GAP
