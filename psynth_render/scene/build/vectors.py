"""Small 3-vector helpers on plain tuples (pure math): the framing, the pour's spot and the fluid
meshes work on points the solver and bpy both give, without building mathutils Vectors."""

import math


def vec_sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def vec_dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def vec_cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def vec_unit(a):
    """`a` scaled to length 1 (a zero vector stays zero)."""
    n = math.sqrt(vec_dot(a, a)) or 1.0
    return (a[0] / n, a[1] / n, a[2] / n)
