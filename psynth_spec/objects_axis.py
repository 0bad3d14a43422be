"""The object count of a multi-object scene (`scene.objects`), shared by sampler and captions."""

import numpy as np

COUNT_AXIS = "scene.objects"
MAX_OBJECTS = 64


def object_counts(column) -> np.ndarray:
    """Objects per row from the `scene.objects` column: a null (a `when` that did not hold) is
    one object; values are clipped to 1..MAX_OBJECTS."""
    values = np.asarray(column.values, dtype=np.int64)
    if column.valid is not None:
        values = np.where(column.valid, values, 1)
    return np.clip(values, 1, MAX_OBJECTS)
