"""The canonical printer: syntax tree (+ comments) -> text.

Canonical form: one statement per line, 4-space indents, one space around operators, values
aligned within a run of consecutive settings or axis statements, at most one blank line kept
where the source had blank lines, comments kept (a comment inside a statement moves above it).
Statement order and number spellings are the author's. `fmt` only prints: the tree of its output
equals the tree of its input, so the version id never changes, and printing is idempotent.
"""

from psynth_spec import nodes as n

INDENT = "    "


# ---------------------------------------------------------------- expressions
def value_text(value: n.Value) -> str:
    if isinstance(value, n.Number):
        return value.text or repr(value.value)
    if isinstance(value, n.String):
        return value.raw or '"' + value.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, n.Bool):
        return "true" if value.value else "false"
    if isinstance(value, n.Path):
        return value.text
    if isinstance(value, n.Resolution):
        return f"{value.width} x {value.height}"
    return "[" + ", ".join(value_text(v) for v in value.items) + "]"


def distribution_text(dist: n.Distribution) -> str:
    if isinstance(dist, n.OneOfNode):
        return f"one_of({dist.node.text})"
    if isinstance(dist, n.OneOfAssets):
        return f"one_of({dist.catalog.text} where " + " and ".join(_asset_term_text(t) for t in dist.terms) + ")"
    if isinstance(dist, n.OneOfList):
        return "one_of " + value_text(dist.items)
    if isinstance(dist, n.OneOfWeighted):
        entries = ", ".join(f"{value_text(e.key)}: {value_text(e.weight)}" for e in dist.entries)
        return "one_of { " + entries + " }" if entries else "one_of {}"
    return f"{dist.name.text}(" + ", ".join(value_text(a) for a in dist.args) + ")"


def _asset_term_text(term: n.AssetTerm) -> str:
    if term.values is not None:
        return f"{term.field.text} in {value_text(term.values)}"
    entries = ", ".join(f"{value_text(e.key)}: {value_text(e.weight)}" for e in term.entries or ())
    return f"{term.field.text} in " + ("{ " + entries + " }" if entries else "{}")


_PRECEDENCE = {n.OrCond: 1, n.AndCond: 2, n.NotCond: 3}


def condition_text(cond: n.Condition, parent: int = 0) -> str:
    """Print with the fewest parentheses that re-parse to the same tree."""
    level = _PRECEDENCE.get(type(cond), 4)
    if isinstance(cond, n.OrCond):
        text = " or ".join(condition_text(c, level) for c in cond.items)
    elif isinstance(cond, n.AndCond):
        text = " and ".join(condition_text(c, level) for c in cond.items)
    elif isinstance(cond, n.NotCond):
        text = "not " + condition_text(cond.item, level - 1 if isinstance(cond.item, n.NotCond) else level)
    elif isinstance(cond, n.Comparison):
        text = f"{cond.axis.text} {cond.op} {value_text(cond.operand)}"
    elif isinstance(cond, n.Membership):
        text = f"{cond.axis.text} in {value_text(cond.target)}"
    else:
        text = cond.axis.text
    # a nested and/or of the same kind must keep its parentheses, or it would flatten
    return f"({text})" if level <= parent and level < 3 else text


# ---------------------------------------------------------------- statements
def _head_and_rest(stmt: n.Statement) -> tuple[str, str]:
    """(the part aligned in a run, the rest). Blocks and captions are not aligned."""
    if isinstance(stmt, n.Setting):
        return stmt.name.text, value_text(stmt.value)
    if isinstance(stmt, n.AssetsDecl):
        return f"{stmt.kind} {stmt.name.text}", value_text(stmt.location)
    if isinstance(stmt, n.Sample):
        rest = "~ " + distribution_text(stmt.dist)
        if stmt.clamp:
            rest += f" clamp({value_text(stmt.clamp.low)}, {value_text(stmt.clamp.high)})"
        if stmt.when:
            rest += " when " + condition_text(stmt.when)
        return stmt.axis.text, rest
    if isinstance(stmt, n.Fix):
        rest = "= " + value_text(stmt.value)
        if stmt.when:
            rest += " when " + condition_text(stmt.when)
        return stmt.axis.text, rest
    if isinstance(stmt, n.Require):
        text = "require " + condition_text(stmt.cond)
        if stmt.when:
            text += " when " + condition_text(stmt.when)
        return text, ""
    if isinstance(stmt, n.Variants):
        items = [item.axis.text + (f" in {value_text(item.values)}" if item.values is not None else "")
                 for item in stmt.axes]
        count = f" {stmt.count.keyword.text} {value_text(stmt.count.count)}" if stmt.count else ""
        return "variants { " + ", ".join(items) + count + " }", ""
    if isinstance(stmt, n.Caption):
        parts = ["caption"]
        if stmt.name:
            parts.append(stmt.name.text)
        if stmt.weight:
            parts += ["weight", value_text(stmt.weight)]
        parts.append(stmt.template.raw)
        return " ".join(parts), ""
    raise TypeError(stmt)


def _align_group(stmt: n.Statement) -> str | None:
    if isinstance(stmt, n.Setting):
        return "setting"
    if isinstance(stmt, n.AssetsDecl):
        return "assets"
    if isinstance(stmt, (n.Sample, n.Fix)):
        return "axis"
    return None


class _Printer:
    def __init__(self, comments: tuple[n.Comment, ...]):
        self.comments = sorted(comments, key=lambda c: (c.span.line, c.span.col))
        self.used: set[int] = set()
        self.lines: list[str] = []
        self.comment_lines = {c.span.line for c in self.comments}

    def comments_between(self, first_line: int, last_line: int) -> list[n.Comment]:
        out = []
        for index, comment in enumerate(self.comments):
            if index not in self.used and first_line <= comment.span.line <= last_line:
                self.used.add(index)
                out.append(comment)
        return out

    def emit_leading(self, comments: list[n.Comment], indent: str) -> None:
        for comment in comments:
            self.lines.append(indent + comment.text)

    def body(self, statements: tuple[n.Statement, ...], indent: str, start_line: int, end_line: int) -> None:
        """Print statements between the lines of an opening and a closing brace."""
        widths = self._widths(statements)
        previous_end = start_line
        for index, stmt in enumerate(statements):
            leading = self.comments_between(previous_end + 1, stmt.span.line - 1)
            multi_line = stmt.span.end_line > stmt.span.line and not isinstance(stmt, (n.Block, n.EachObject))
            inside = self.comments_between(stmt.span.line, stmt.span.end_line - 1) if multi_line else []
            first_line = leading[0].span.line if leading else stmt.span.line
            if index > 0 and self._blank_between(previous_end, first_line):
                self.lines.append("")
            self.emit_leading(leading + inside, indent)
            trailing = [] if isinstance(stmt, (n.Block, n.EachObject)) else self.comments_between(stmt.span.end_line, stmt.span.end_line)
            self.statement(stmt, indent, widths[index])
            if trailing:
                self.lines[-1] += "  " + " ".join(c.text for c in trailing)
            previous_end = stmt.span.end_line
        rest = self.comments_between(previous_end + 1, end_line - 1)
        if rest and statements and self._blank_between(previous_end, rest[0].span.line):
            self.lines.append("")
        self.emit_leading(rest, indent)

    def statement(self, stmt: n.Statement, indent: str, width: int) -> None:
        if isinstance(stmt, n.Block):
            self.lines.append(f"{indent}{stmt.name.text} {{")
            self.body(stmt.settings, indent + INDENT, stmt.span.line, stmt.span.end_line)
            self.lines.append(indent + "}")
            return
        if isinstance(stmt, n.EachObject):
            opening = self.comments_between(stmt.span.line, stmt.span.line)
            self.lines.append(f"{indent}each {stmt.word.text} {{" + "".join("  " + c.text for c in opening))
            self.body(stmt.statements, indent + INDENT, stmt.span.line, stmt.span.end_line)
            self.lines.append(indent + "}")
            return
        head, rest = _head_and_rest(stmt)
        self.lines.append(f"{indent}{head.ljust(width)} {rest}".rstrip() if rest else indent + head)

    def _widths(self, statements: tuple[n.Statement, ...]) -> list[int]:
        """Width of the aligned part: the longest head in each run of same-kind statements."""
        widths = [0] * len(statements)
        run: list[int] = []

        def close() -> None:
            width = max((len(_head_and_rest(statements[i])[0]) for i in run), default=0)
            for i in run:
                widths[i] = width
            run.clear()

        previous: n.Statement | None = None
        for index, stmt in enumerate(statements):
            group = _align_group(stmt)
            same = (
                previous is not None
                and group is not None
                and _align_group(previous) == group
                and not self._blank_between(previous.span.end_line, stmt.span.line)
            )
            if not same:
                close()
            if group is not None:
                run.append(index)
            previous = stmt
        close()
        return widths

    def _blank_between(self, after_line: int, before_line: int) -> bool:
        """True when the source had a blank line strictly between the two lines."""
        return any(line not in self.comment_lines for line in range(after_line + 1, before_line))


def format_dataset(dataset: n.Dataset) -> str:
    """Canonical text of a parsed file (parse it with comments to keep them)."""
    printer = _Printer(dataset.comments)
    printer.emit_leading(printer.comments_between(1, dataset.span.line - 1), "")
    printer.lines.append(f"dataset {dataset.name.text} {{")
    printer.body(dataset.statements, INDENT, dataset.span.line, dataset.span.end_line)
    printer.lines.append("}")
    after = printer.comments_between(dataset.span.end_line, 10**9)
    printer.emit_leading(after, "")
    return "\n".join(printer.lines) + "\n"


def format_text(text: str, path: str = "<string>") -> str:
    """Parse and print canonically; raises SpecError on a syntax error."""
    from psynth_spec.compile import parse

    return format_dataset(parse(text, path, with_comments=True))
