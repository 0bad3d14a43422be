"""Colour of a black body at a temperature, as linear Rec.709 RGB (Blender's working space).

Planck's law integrated against the CIE 1931 2-degree observer (the multi-lobe Gaussian fit of
Wyman, Sloan & Shirley 2013), converted XYZ -> linear Rec.709, scaled to luminance 1 and
clipped at 0. Pure Python so `describe` can resolve light colours to plain numbers.
"""

import math


def _g(x, mu, s1, s2):
    t = (x - mu) / (s1 if x < mu else s2)
    return math.exp(-0.5 * t * t)


def _cmf(nm):
    x = (1.056 * _g(nm, 599.8, 37.9, 31.0) + 0.362 * _g(nm, 442.0, 16.0, 26.7)
         - 0.065 * _g(nm, 501.1, 20.4, 26.2))
    y = 0.821 * _g(nm, 568.8, 46.9, 40.5) + 0.286 * _g(nm, 530.9, 16.3, 31.1)
    z = 1.217 * _g(nm, 437.0, 11.8, 36.0) + 0.681 * _g(nm, 459.0, 26.0, 13.8)
    return x, y, z


def _planck(nm, kelvin):
    lam = nm * 1e-9
    return 1.0 / (lam**5 * (math.exp(1.4387769e-2 / (lam * kelvin)) - 1.0))


def kelvin_to_rgb(kelvin):
    """Linear Rec.709 RGB of a black body at `kelvin`, normalised to luminance 1."""
    X = Y = Z = 0.0
    for nm in range(380, 781, 5):
        p = _planck(nm, kelvin)
        x, y, z = _cmf(nm)
        X, Y, Z = X + p * x, Y + p * y, Z + p * z
    X, Z = X / Y, Z / Y
    Y = 1.0
    r = 3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z
    g = -0.9692660 * X + 1.8760108 * Y + 0.0415560 * Z
    b = 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z
    rgb = [max(c, 0.0) for c in (r, g, b)]
    luma = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return [c / luma for c in rgb]


def white_balance(kelvin, reference=6500.0):
    """Per-channel gain that turns `reference` white into the colour of `kelvin` (luminance kept)."""
    a, b = kelvin_to_rgb(kelvin), kelvin_to_rgb(reference)
    gains = [x / y if y > 0 else 0.0 for x, y in zip(a, b)]
    luma = 0.2126 * gains[0] + 0.7152 * gains[1] + 0.0722 * gains[2]
    return [g / luma for g in gains]
