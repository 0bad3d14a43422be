"""Checks of axis statements, distributions, values and conditions; lowers them to `spec` models.

Every function reports into a `Reporter` and returns the lowered model, or None when the input
was wrong (the caller keeps going so that every error of a file is found in one run).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from psynth_spec import nodes as n
from psynth_spec import spec as s
from psynth_spec.diagnostics import Diagnostic, did_you_mean
from psynth_spec.laws import LAWS, SAMPLES_ON, laws_sampling, signature
from psynth_spec.taxonomy import Axis, Taxonomy

AXIS_KIND = {"float": "number", "int": "integer", "bool": "boolean", "category": "concept"}


HINTED = 200
"""Errors of a file that get a computed hint ("did you mean", which costs a fuzzy match against
every name): enough for any real file, while a file of thousands of misspellings stays fast."""


@dataclass
class Reporter:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, span: n.Span, code: str, message: str, hint: str | Callable[[], str | None] | None = None) -> None:
        """Record an error; a callable `hint` is computed only for the first HINTED errors."""
        if callable(hint):
            hint = hint() if len(self.diagnostics) < HINTED else None
        self.diagnostics.append(
            Diagnostic(self.path, span.line, span.col, code, message, span.length, hint)
        )

    def warn(self, span: n.Span, code: str, message: str, hint: str | None = None) -> None:
        """A warning: printed by `psynth check`, never stops the spec from compiling."""
        self.diagnostics.append(
            Diagnostic(self.path, span.line, span.col, code, message, span.length, hint, severity="warning")
        )

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def known_settings(self, block: n.Block, keys) -> list[n.Setting]:
        """The settings of a block whose key is one of `keys`, each key's first only; an unknown
        or repeated key is reported (with "did you mean")."""
        name, out, first = block.name.text, [], {}
        for setting in block.settings:
            key = setting.name.text
            if key not in keys:
                self.error(setting.name.span, "unknown-setting", f"unknown {name} setting '{key}'",
                           did_you_mean(key, list(keys)) or f"{name} settings are: {', '.join(keys)}")
            elif key in first:
                self.error(setting.name.span, "duplicate-setting",
                           f"'{key}' is set twice (first on line {first[key].line})")
            else:
                first[key] = setting.span
                out.append(setting)
        return out


@dataclass
class AxisContext:
    """What the checker of one statement may see."""

    taxonomy: Taxonomy
    report: Reporter
    stated: dict[str, n.Span]  # every axis the file states (path -> first statement span)


def lookup_axis(ctx: AxisContext, path: n.Path) -> Axis | None:
    axis = ctx.taxonomy.axis_by_path.get(path.text)
    if axis is None:
        ctx.report.error(
            path.span, "unknown-axis", f"unknown axis '{path.text}'",
            lambda: did_you_mean(path.text, list(ctx.taxonomy.axis_by_path))
            or "run `psynth taxonomy` to list the axes",
        )
    return axis


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# ---------------------------------------------------------------- concepts
def resolve_concept(ctx: AxisContext, axis: Axis, path: n.Path, *, leaf_only: bool) -> list[str] | None:
    """Relative leaf paths a concept name stands for, or None after reporting an error."""
    taxonomy = ctx.taxonomy
    full = taxonomy.resolve(axis, path.text)
    if full is None:
        def hint() -> str:
            close = did_you_mean(path.text, taxonomy.domain_names(axis))
            if close is None:
                elsewhere = [a.path for a in taxonomy.axes if a.domain and taxonomy.resolve(a, path.text)]
                if elsewhere:
                    close = f"'{path.text}' is a value of {elsewhere[0]}, not of {axis.path}"
            return close or f"run `psynth taxonomy {axis.domain}` to list them"

        ctx.report.error(
            path.span, "unknown-concept",
            f"unknown concept '{path.text}' for {axis.path} (values under '{axis.domain}')", hint,
        )
        return None
    if leaf_only and not taxonomy.concepts[full].is_leaf:
        ctx.report.error(
            path.span, "not-a-leaf",
            f"'{path.text}' is a group of concepts, not a single value of {axis.path}",
            f"use `one_of({path.text})` to sample among its members, or name one of them",
        )
        return None
    return [taxonomy.relative(axis, leaf) for leaf in taxonomy.leaves(full)]


# ---------------------------------------------------------------- values
def check_value(ctx: AxisContext, axis: Axis, value: n.Value) -> s.Scalar | None:
    """A fixed value (`AXIS = VALUE`, a `one_of` entry): type and range checked, lowered."""
    kind = AXIS_KIND[axis.type]
    if axis.type == "category":
        if isinstance(value, n.Path):
            leaves = resolve_concept(ctx, axis, value, leaf_only=True)
            return leaves[0] if leaves else None
        ctx.report.error(value.span, "type-mismatch", f"{axis.path} takes a concept name, not {_describe(value)}")
        return None
    if axis.type == "bool":
        if isinstance(value, n.Bool):
            return value.value
        ctx.report.error(value.span, "type-mismatch", f"{axis.path} is a boolean: write true or false")
        return None
    if not isinstance(value, n.Number):
        ctx.report.error(value.span, "type-mismatch", f"{axis.path} takes a {kind}, not {_describe(value)}")
        return None
    if axis.type == "int" and not (value.is_int or float(value.value).is_integer()):
        ctx.report.error(value.span, "type-mismatch", f"{axis.path} takes an integer, not {value.text}")
        return None
    lo, hi = axis.range  # type: ignore[misc]
    if not lo <= value.value <= hi:
        ctx.report.error(
            value.span, "out-of-range",
            f"{value.text} is outside the range of {axis.path} ({_fmt(lo)}..{_fmt(hi)}{_unit(axis)})",
        )
        return None
    return int(value.value) if axis.type == "int" else float(value.value)


def _unit(axis: Axis) -> str:
    return f" {axis.unit}" if axis.unit else ""


def _describe(value) -> str:
    if isinstance(value, n.Number):
        return f"the number {value.text}"
    if isinstance(value, n.String):
        return "a string"
    if isinstance(value, n.Bool):
        return "a boolean"
    if isinstance(value, n.Path):
        return f"the name '{value.text}'"
    if isinstance(value, n.ListValue):
        return "a list"
    return "a resolution"


# ---------------------------------------------------------------- distributions
def check_distribution(ctx: AxisContext, axis: Axis, stmt: n.Sample) -> s.Distribution | None:
    dist = stmt.dist
    if isinstance(dist, n.OneOfNode):
        if axis.type != "category":
            ctx.report.error(
                dist.span, "type-mismatch",
                f"one_of(NODE) samples concepts, but {axis.path} is a {AXIS_KIND[axis.type]}",
                "use one_of [v1, v2] or a numeric distribution",
            )
            return None
        leaves = resolve_concept(ctx, axis, dist.node, leaf_only=False)
        if leaves is None:
            return None
        return s.Choice(values=tuple(leaves), weights=tuple([1 / len(leaves)] * len(leaves)))
    if isinstance(dist, n.OneOfList):
        if not dist.items.items:
            ctx.report.error(dist.span, "empty-choice", "one_of [] lists no values")
            return None
        pairs = [(item, None) for item in dist.items.items]
        return _lower_choice(ctx, axis, pairs)
    if isinstance(dist, n.OneOfWeighted):
        if not dist.entries:
            ctx.report.error(dist.span, "empty-choice", "one_of {} lists no values")
            return None
        return _lower_choice(ctx, axis, [(e.key, e.weight) for e in dist.entries])
    return _check_call(ctx, axis, dist)


def _lower_choice(ctx: AxisContext, axis: Axis, pairs: list) -> s.Choice | None:
    """Weighted or uniform choice; inner-node weights split evenly over their leaves."""
    weights: dict = {}
    seen: dict = {}
    ok = True
    for key, weight in pairs:
        w = 1.0
        if weight is not None:
            if not weight.value > 0 or not math.isfinite(weight.value):
                ctx.report.error(weight.span, "invalid-weight", f"weight {weight.text} must be a number > 0")
                ok = False
                continue
            w = float(weight.value)
        if axis.type == "category" and isinstance(key, n.Path):
            leaves = resolve_concept(ctx, axis, key, leaf_only=False)
            marker = key.text
        else:
            value = check_value(ctx, axis, key)
            leaves = None if value is None else [value]
            marker = value
        if leaves is None:
            ok = False
            continue
        if marker in seen:
            ctx.report.error(key.span, "duplicate-value", f"'{_key_text(key)}' is listed twice")
            ok = False
            continue
        seen[marker] = True
        for leaf in leaves:
            weights[leaf] = weights.get(leaf, 0.0) + w / len(leaves)
    if not ok:
        return None
    total = sum(weights.values())
    return s.Choice(values=tuple(weights), weights=tuple(w / total for w in weights.values()))


def _key_text(key) -> str:
    if isinstance(key, n.Path):
        return key.text
    if isinstance(key, n.Number):
        return key.text
    return "true" if key.value else "false"


def _check_call(ctx: AxisContext, axis: Axis, call: n.Call) -> s.Distribution | None:
    """A law's call: its name, arity and axis type from the registry (`psynth_spec.laws`)."""
    name = call.name.text
    law = LAWS.get(name)
    if law is None:
        ctx.report.error(
            call.name.span, "unknown-distribution", f"unknown distribution '{name}'",
            did_you_mean(name, list(LAWS) + ["one_of"]),
        )
        return None
    params = law.params
    if len(call.args) != len(params):
        ctx.report.error(
            call.span, "wrong-arity",
            f"{name} takes {len(params)} argument{'s' * (len(params) > 1)} ({', '.join(params)}), got {len(call.args)}",
        )
        return None
    if not _law_fits(ctx, axis, call, law):
        return None
    v = [float(a.value) for a in call.args]
    problem = "parameters must be finite numbers" if not all(math.isfinite(x) for x in v) else law.problem(v, [a.text for a in call.args])
    if problem:
        ctx.report.error(call.span, "invalid-parameter", f"{name}: {problem}")
        return None
    return law.from_args(v)


def _law_fits(ctx: AxisContext, axis: Axis, call: n.Call, law) -> bool:
    """Whether `law` can fill `axis`, reporting a type mismatch with the laws that can."""
    name = call.name.text
    if law.samples in SAMPLES_ON.get(axis.type, ()):
        return True
    usable = " or ".join(signature(other) for other in laws_sampling(axis.type))
    if axis.type == "category":
        ctx.report.error(call.name.span, "type-mismatch", f"{axis.path} is categorical; {name}(...) samples numbers",
                         f"use one_of({axis.domain}) or one_of {{ ... }}")
    elif axis.type == "bool":
        ctx.report.error(call.name.span, "type-mismatch",
                         f"{axis.path} is a boolean; use {usable} or one_of {{ true: w1, false: w2 }}")
    elif law.samples == "bool":
        ctx.report.error(call.name.span, "type-mismatch", f"{name} samples booleans, but {axis.path} is a {AXIS_KIND[axis.type]}")
    else:
        ctx.report.error(call.name.span, "type-mismatch", f"{axis.path} is an integer axis; {name} samples real numbers",
                         f"use {usable} or one_of [...]")
    return False


def support(dist: s.Distribution) -> tuple[float, float]:
    """The closed interval a numeric distribution can produce."""
    if isinstance(dist, s.Choice):
        numbers = [float(x) for x in dist.values]
        return (min(numbers), max(numbers))
    if isinstance(dist, s.Law):
        return dist.support()
    raise TypeError(dist)


def check_range(ctx: AxisContext, axis: Axis, stmt: n.Sample, dist: s.Distribution) -> tuple[float, float] | None:
    """Checks clamp and that the sampled values stay in the registry range; returns the clamp."""
    if axis.type in ("category", "bool"):
        if stmt.clamp is not None:
            ctx.report.error(stmt.clamp.span, "type-mismatch", f"clamp applies to numbers, but {axis.path} is {AXIS_KIND[axis.type]}-valued")
        return None
    lo, hi = axis.range  # type: ignore[misc]
    clamp = None
    if stmt.clamp is not None:
        c_lo, c_hi = float(stmt.clamp.low.value), float(stmt.clamp.high.value)
        if not c_lo < c_hi:
            ctx.report.error(stmt.clamp.span, "invalid-parameter", "clamp(lo, hi) needs lo < hi")
            return None
        if c_lo < lo or c_hi > hi:
            ctx.report.error(
                stmt.clamp.span, "out-of-range",
                f"clamp({stmt.clamp.low.text}, {stmt.clamp.high.text}) reaches outside the range of {axis.path} ({_fmt(lo)}..{_fmt(hi)}{_unit(axis)})",
            )
            return None
        clamp = (c_lo, c_hi)
        if axis.type == "int" and not (c_lo.is_integer() and c_hi.is_integer()):
            ctx.report.error(stmt.clamp.span, "type-mismatch", f"{axis.path} is an integer axis; clamp bounds must be integers")
            return None
        return clamp
    s_lo, s_hi = support(dist)
    if s_lo < lo or s_hi > hi:
        unbounded = math.isinf(s_lo) or math.isinf(s_hi)
        shown = f"{_fmt(s_lo)}..{_fmt(s_hi)}" if not unbounded else "an unbounded range"
        ctx.report.error(
            stmt.dist.span, "out-of-range",
            f"{stmt.dist.name.text if isinstance(stmt.dist, n.Call) else 'one_of'} can produce {shown}, outside the range of {axis.path} ({_fmt(lo)}..{_fmt(hi)}{_unit(axis)})",
            f"add clamp({_fmt(max(lo, s_lo) if not math.isinf(s_lo) else lo)}, {_fmt(min(hi, s_hi) if not math.isinf(s_hi) else hi)}) or narrow the distribution",
        )
    return None


# ---------------------------------------------------------------- conditions
def check_condition(
    ctx: AxisContext, cond: n.Condition, *, visible: dict[str, n.Span], where: str, owner: str | None = None
) -> s.Condition | None:
    """Lower a condition; every axis it names must be in `visible` (stated before, for `when`).

    `owner` is the axis whose `when` this is, so that a self-reference is named as such.
    """
    if isinstance(cond, n.NotCond):
        item = check_condition(ctx, cond.item, visible=visible, where=where, owner=owner)
        return None if item is None else s.Not(item=item)
    if isinstance(cond, (n.AndCond, n.OrCond)):
        items = [check_condition(ctx, c, visible=visible, where=where, owner=owner) for c in cond.items]
        if any(i is None for i in items):
            return None
        return s.And(items=tuple(items)) if isinstance(cond, n.AndCond) else s.Or(items=tuple(items))
    axis = _condition_axis(ctx, cond.axis, visible, where, owner)
    if axis is None:
        return None
    if isinstance(cond, n.Truthy):
        if axis.type != "bool":
            ctx.report.error(
                cond.span, "type-mismatch",
                f"{axis.path} is a {AXIS_KIND[axis.type]}, not a boolean: compare it (==, <, in ...)",
            )
            return None
        return s.Truthy(axis=axis.path)
    if isinstance(cond, n.Membership):
        if axis.type != "category":
            ctx.report.error(cond.span, "type-mismatch", f"`in` tests concepts, but {axis.path} is a {AXIS_KIND[axis.type]}")
            return None
        targets = [cond.target] if isinstance(cond.target, n.Path) else list(cond.target.items)
        values: list[str] = []
        for target in targets:
            if not isinstance(target, n.Path):
                ctx.report.error(target.span, "type-mismatch", f"{axis.path} takes concept names, not {_describe(target)}")
                return None
            leaves = resolve_concept(ctx, axis, target, leaf_only=False)
            if leaves is None:
                return None
            values.extend(leaf for leaf in leaves if leaf not in values)
        return s.Member(axis=axis.path, values=tuple(values))
    assert isinstance(cond, n.Comparison)
    if axis.type == "category":
        if cond.op not in ("==", "!="):
            ctx.report.error(cond.op_span, "type-mismatch", f"{axis.path} is categorical: use ==, != or in, not {cond.op}")
            return None
        if not isinstance(cond.operand, n.Path):
            ctx.report.error(cond.operand.span, "type-mismatch", f"{axis.path} takes a concept name, not {_describe(cond.operand)}")
            return None
        full = ctx.taxonomy.resolve(axis, cond.operand.text)
        if full is not None and not ctx.taxonomy.concepts[full].is_leaf:
            ctx.report.error(
                cond.operand.span, "not-a-leaf",
                f"'{cond.operand.text}' is a group of concepts; == compares with one value",
                f"use `{axis.path} in {cond.operand.text}`",
            )
            return None
        leaves = resolve_concept(ctx, axis, cond.operand, leaf_only=True)
        if leaves is None:
            return None
        return s.Compare(axis=axis.path, op=cond.op, value=leaves[0])  # type: ignore[arg-type]
    if axis.type == "bool":
        if cond.op not in ("==", "!=") or not isinstance(cond.operand, n.Bool):
            ctx.report.error(cond.span, "type-mismatch", f"{axis.path} is a boolean: write `{axis.path}`, `== true` or `== false`")
            return None
        return s.Compare(axis=axis.path, op=cond.op, value=cond.operand.value)  # type: ignore[arg-type]
    if not isinstance(cond.operand, n.Number):
        ctx.report.error(cond.operand.span, "type-mismatch", f"{axis.path} is a number; compare it with a number, not {_describe(cond.operand)}")
        return None
    return s.Compare(axis=axis.path, op=cond.op, value=float(cond.operand.value))  # type: ignore[arg-type]


def _condition_axis(
    ctx: AxisContext, path: n.Path, visible: dict[str, n.Span], where: str, owner: str | None
) -> Axis | None:
    axis = lookup_axis(ctx, path)
    if axis is None:
        return None
    if axis.type == "asset":
        ctx.report.error(path.span, "type-mismatch", f"{where} cannot test {path.text}: its values are catalog asset ids",
                         "filter the assets instead: one_of(assets.NAME where tag in [...])")
        return None
    if path.text not in visible:
        if path.text == owner:
            ctx.report.error(
                path.span, "self-reference", f"{where} refers to {path.text} itself",
                "a condition decides whether the axis is sampled, so it can only use axes stated before it",
            )
        elif path.text in ctx.stated:
            first = ctx.stated[path.text]
            ctx.report.error(
                path.span, "forward-reference",
                f"{where} refers to {path.text}, which is stated later (line {first.line})",
                "an axis may only refer to axes stated before it: move this statement below it",
            )
        else:
            ctx.report.error(
                path.span, "unstated-axis",
                f"{where} refers to {path.text}, which this spec does not state",
                f"state it first, e.g. `{path.text} ~ ...`",
            )
        return None
    return axis
