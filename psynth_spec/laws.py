"""The parametric distributions (`uniform(a, b)`, `beta(a, b)`, ...): one class each, which is
its whole registration.

A law's class holds everything every stage needs: the spec model's fields (with its `kind`),
its parameter names in the language (`params`), the axis type it samples (`samples`), the check
of its parameters (`problem`), its support (for the registry-range check), its quantile
function (the sampler maps ONE uniform per draw through it, see `counters`), and, for a law with
finitely many outcomes, their exact shares (for the audit). Defining a subclass of `Law`
registers it in `LAWS`: the parser's hints, the checker, the spec model's union, the sampler,
the audit and `fmt` all read the registry, so nothing else changes for a new distribution.
(A law defined outside this module must be defined before `psynth_spec.spec` is imported: the
spec model's union is built then.)

numpy and scipy are imported inside the quantile functions, so `psynth check` stays fast.
"""

import math
from functools import lru_cache
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

LAWS: dict[str, type["Law"]] = {}
"""Every law by its name in the language (= its `kind`), in definition order."""

SAMPLES_ON: dict[str, tuple[str, ...]] = {"float": ("float", "int"), "int": ("int",), "bool": ("bool",)}
"""Axis type -> the `samples` of the laws it may be drawn from (an integer law fills a real axis)."""


class Law(BaseModel):
    """Base of the parametric distributions. Subclasses declare `kind: Literal["name"] = "name"`,
    their fields (in the order of `params`), and override what differs from the defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    params: ClassVar[tuple[str, ...]] = ()
    """Parameter names as the language writes them, in order (`uniform(a, b)`)."""
    samples: ClassVar[str] = "float"
    """What it draws: "float" (real numbers), "int" (integers) or "bool"."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        name = cls.model_fields["kind"].default
        if name in LAWS and LAWS[name].__qualname__ != cls.__qualname__:
            raise TypeError(f"distribution {name!r} is registered twice")
        LAWS[name] = cls

    @classmethod
    def from_args(cls, values: list[float]) -> "Law":
        """The spec model from the checked arguments, in `params` order."""
        fields = [f for f in cls.model_fields if f != "kind"]
        return cls(**dict(zip(fields, values)))

    @classmethod
    def problem(cls, values: list[float], texts: list[str]) -> str | None:
        """What is wrong with finite arguments `values` (as written: `texts`), or None."""
        return None

    def support(self) -> tuple[float, float]:
        """The closed interval the law can produce."""
        raise NotImplementedError

    def quantile(self, u):
        """Values for uniforms `u` in (0, 1) (a numpy array), in the same order."""
        raise NotImplementedError

    def shares(self) -> dict | None:
        """Exact probability of each outcome, for a law with finitely many; else None."""
        return None


def _ordered(values: list[float], texts: list[str]) -> str | None:
    return None if values[0] < values[1] else f"needs a < b, got {texts[0]} and {texts[1]}"


class Uniform(Law):
    """`uniform(a, b)`: every value in [a, b) equally likely."""

    kind: Literal["uniform"] = "uniform"
    low: float
    high: float
    params = ("a", "b")

    @classmethod
    def problem(cls, values, texts):
        return _ordered(values, texts)

    def support(self):
        return (self.low, self.high)

    def quantile(self, u):
        import numpy as np

        x = self.low + (self.high - self.low) * u
        return np.minimum(x, np.nextafter(self.high, self.low)) if self.high > self.low else x


class LogUniform(Law):
    """`loguniform(a, b)`: uniform in log space, for scales (focal lengths, f-stops)."""

    kind: Literal["loguniform"] = "loguniform"
    low: float
    high: float
    params = ("a", "b")

    @classmethod
    def problem(cls, values, texts):
        return _ordered(values, texts) or (None if values[0] > 0 else "needs 0 < a < b (it samples exp(uniform(ln a, ln b)))")

    def support(self):
        return (self.low, self.high)

    def quantile(self, u):
        import numpy as np

        lo, hi = np.log(self.low), np.log(self.high)
        return np.clip(np.exp(lo + (hi - lo) * u), self.low, self.high)


class Normal(Law):
    """`normal(mean, std)`: unbounded, so a bounded axis needs a clamp."""

    kind: Literal["normal"] = "normal"
    mean: float
    std: float
    params = ("mean", "std")

    @classmethod
    def problem(cls, values, texts):
        return None if values[1] > 0 else "std must be > 0"

    def support(self):
        return (-math.inf, math.inf)

    def quantile(self, u):
        from scipy.special import ndtri

        return self.mean + self.std * ndtri(u)


class LogNormal(Law):
    """`lognormal(mu, sigma)`: exp of normal(mu, sigma); positive, long right tail."""

    kind: Literal["lognormal"] = "lognormal"
    mu: float
    sigma: float
    params = ("mu", "sigma")

    @classmethod
    def problem(cls, values, texts):
        return None if values[1] > 0 else "sigma must be > 0"

    def support(self):
        return (0.0, math.inf)

    def quantile(self, u):
        import numpy as np

        return np.exp(Normal(mean=self.mu, std=self.sigma).quantile(u))


_BETA_GRID = 1 << 16  # table nodes; interpolation error < 2e-6 absolute (1e-6 typical worst)
_BETA_TAIL = 1.0 / 1024  # u below this or above 1 - this uses the exact (slow) inverse


@lru_cache(maxsize=64)
def _beta_table(a: float, b: float):
    import numpy as np
    from scipy.special import betaincinv

    return betaincinv(a, b, np.linspace(_BETA_TAIL, 1.0 - _BETA_TAIL, _BETA_GRID + 1))


class Beta(Law):
    """`beta(a, b)`: values in [0, 1] (shares, mixes), shaped by a and b."""

    kind: Literal["beta"] = "beta"
    a: float
    b: float
    params = ("a", "b")

    @classmethod
    def problem(cls, values, texts):
        return None if values[0] > 0 and values[1] > 0 else "a and b must be > 0"

    def support(self):
        return (0.0, 1.0)

    def quantile(self, u):
        """A fixed interpolation table in the body, exact `betaincinv` in the tails.

        `betaincinv` costs about 1 µs per value; the table makes the body 50x cheaper and stays
        deterministic (the table is a pure function of a and b).
        """
        import numpy as np
        from scipy.special import betaincinv

        table = _beta_table(self.a, self.b)
        # the grid is uniform: index arithmetic instead of a binary search per value
        position = (u - _BETA_TAIL) * (_BETA_GRID / (1.0 - 2.0 * _BETA_TAIL))
        np.clip(position, 0.0, _BETA_GRID - 1e-9, out=position)
        index = position.astype(np.intp)
        position -= index
        low = table[index]
        x = low + (table[index + 1] - low) * position
        tails = (u < _BETA_TAIL) | (u > 1.0 - _BETA_TAIL)
        if tails.any():
            x[tails] = betaincinv(self.a, self.b, u[tails])
        return x


class Triangular(Law):
    """`triangular(lo, mode, hi)`: a peak at mode, linear to zero at lo and hi."""

    kind: Literal["triangular"] = "triangular"
    low: float
    mode: float
    high: float
    params = ("lo", "mode", "hi")

    @classmethod
    def problem(cls, values, texts):
        lo, mode, hi = values
        return None if lo <= mode <= hi and lo < hi else "needs lo <= mode <= hi and lo < hi"

    def support(self):
        return (self.low, self.high)

    def quantile(self, u):
        import numpy as np

        width = self.high - self.low
        if width <= 0:
            return np.full(len(u), self.low, dtype=np.float64)
        cut = (self.mode - self.low) / width
        left = self.low + np.sqrt(u * width * (self.mode - self.low))
        right = self.high - np.sqrt((1.0 - u) * width * (self.high - self.mode))
        return np.where(u < cut, left, right)


class RandInt(Law):
    """`randint(a, b)`: integers a..b inclusive, equally likely."""

    kind: Literal["randint"] = "randint"
    low: int
    high: int  # inclusive
    params = ("a", "b")
    samples = "int"

    @classmethod
    def problem(cls, values, texts):
        if not all(float(x).is_integer() for x in values):
            return "bounds must be integers"
        return None if values[0] <= values[1] else f"needs a <= b, got {texts[0]} and {texts[1]}"

    @classmethod
    def from_args(cls, values):
        return cls(low=int(values[0]), high=int(values[1]))

    def support(self):
        return (self.low, self.high)

    def quantile(self, u):
        import numpy as np

        span = self.high - self.low + 1
        return np.minimum(self.low + np.floor(u * span).astype(np.int64), self.high)


class Bernoulli(Law):
    """`bernoulli(p)`: true with probability p."""

    kind: Literal["bernoulli"] = "bernoulli"
    p: float
    params = ("p",)
    samples = "bool"

    @classmethod
    def problem(cls, values, texts):
        return None if 0 <= values[0] <= 1 else "p must be in 0..1"

    def support(self):
        return (0.0, 1.0)

    def quantile(self, u):
        return u < self.p

    def shares(self):
        return {True: float(self.p), False: 1.0 - float(self.p)}


def laws_sampling(axis_type: str) -> list[type[Law]]:
    """The laws an axis of `axis_type` may be drawn from."""
    return [law for law in LAWS.values() if law.samples in SAMPLES_ON.get(axis_type, ())]


def signature(law: type[Law]) -> str:
    """How the language writes a law: `uniform(a, b)`."""
    return f"{law.model_fields['kind'].default}({', '.join(law.params)})"
