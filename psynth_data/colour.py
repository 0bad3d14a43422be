"""Colour differences for QC: sRGB (display-encoded, 0..1) to CIE L*a*b* (D65) and the CIE76
delta E between colours. Pure numpy: QC judges "can a person tell the subject from what is
around it", and a red subject on a green backdrop of the same luma can be told apart even
though a luma-only measure calls them equal.

    srgb_to_lab(rgb) -> Lab            HxWx3 (or Nx3) sRGB 0..1 -> L* 0..100, a*, b*
    delta_e(lab1, lab2) -> float | array   CIE76: Euclidean distance in L*a*b*

The formulas are the standard ones (IEC 61966-2-1 sRGB transfer, its D65 RGB->XYZ matrix,
CIE 1976 L*a*b* with the D65 white); one delta E unit is about a just-noticeable difference.
"""

import numpy as np

_SRGB_TO_XYZ = np.array([
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
])
_D65_WHITE = np.array([0.95047, 1.0, 1.08883])
_EPSILON = (6 / 29) ** 3
_KAPPA = (29 / 6) ** 2 / 3


def srgb_to_lab(rgb) -> np.ndarray:
    """CIE L*a*b* (D65) of display-encoded sRGB values in 0..1 (last axis: R, G, B)."""
    c = np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 1.0)
    if c.shape[-1] != 3:
        raise ValueError(f"sRGB to Lab: the last axis must be R, G, B, got shape {c.shape}")
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = (linear @ _SRGB_TO_XYZ.T) / _D65_WHITE
    f = np.where(xyz > _EPSILON, np.cbrt(xyz), _KAPPA * xyz + 4 / 29)
    lab = np.empty_like(f)
    lab[..., 0] = 116 * f[..., 1] - 16
    lab[..., 1] = 500 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200 * (f[..., 1] - f[..., 2])
    return lab


def grey_to_lab(grey) -> np.ndarray:
    """L*a*b* of grey display-encoded values (a* = b* = 0): a luma-only image's colours."""
    g = np.asarray(grey, dtype=np.float64)
    return srgb_to_lab(np.repeat(g[..., None], 3, axis=-1))


def delta_e(lab1, lab2):
    """CIE76 colour difference: the Euclidean distance between L*a*b* colours."""
    d = np.asarray(lab1, dtype=np.float64) - np.asarray(lab2, dtype=np.float64)
    return np.sqrt((d * d).sum(axis=-1))
