"""Shared field types and the base class of every render-parameter model."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
RGB = tuple[Unit, Unit, Unit]
"""Linear RGB, each channel 0..1."""
Kelvin = Annotated[float, Field(ge=1000.0, le=20000.0)]


class _Params(BaseModel):
    """Frozen, no unknown keys; schemas build on first use (keeps `import` cheap)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
