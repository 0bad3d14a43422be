"""lark tree -> `nodes` (frozen dataclasses with spans). Reshapes only; judging is `check`'s job."""

import lark
from lark import Token, Transformer, v_args

from psynth_spec import nodes as n


def _span(meta_or_token) -> n.Span:
    return n.Span(meta_or_token.line, meta_or_token.column, meta_or_token.end_line, meta_or_token.end_column)


def _join(first: n.Span, last: n.Span) -> n.Span:
    return n.Span(first.line, first.col, last.end_line, last.end_col)


def unescape(raw: str) -> str:
    """The value of a STRING token: strip quotes, resolve `\\"` and `\\\\`."""
    body = raw[1:-1]
    out, index = [], 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            out.append(body[index + 1])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def number_from_text(text: str) -> n.Number:
    clean = text.replace("_", "")
    is_int = not any(c in clean for c in ".eE")
    value: int | float = int(clean) if is_int else float(clean)
    return n.Number(value=value, is_int=is_int, text=text)


def _catalog_decl(meta, children, kind: str) -> n.AssetsDecl:
    """`assets NAME "PATH"` or `hdris NAME "PATH"`."""
    name, location = children
    string = n.String(unescape(str(location)), str(location), _span(location))
    return n.AssetsDecl(n.Name(str(name), _span(name)), string, _span(meta), kind=kind)


@v_args(meta=True)
class _Builder(Transformer):
    # ------------------------------------------------------------ leaves
    def path(self, meta, names):
        return n.Path(tuple(str(t) for t in names), _span(meta))

    def number(self, meta, children):
        (token,) = children
        num = number_from_text(str(token))
        return n.Number(num.value, num.is_int, num.text, _span(token))

    def string(self, meta, children):
        (token,) = children
        return n.String(unescape(str(token)), str(token), _span(token))

    def true(self, meta, children):
        return n.Bool(True, _span(meta))

    def false(self, meta, children):
        return n.Bool(False, _span(meta))

    def resolution(self, meta, children):
        (token,) = children
        width, height = (int(part) for part in str(token).replace(" ", "").replace("\t", "").split("x"))
        return n.Resolution(width, height, _span(token))

    def list(self, meta, items):
        return n.ListValue(tuple(i for i in items if i is not None), _span(meta))

    # ------------------------------------------------------------ statements
    def setting(self, meta, children):
        name, value = children
        return n.Setting(n.Name(str(name), _span(name)), value, _span(meta))

    def assets(self, meta, children):
        return _catalog_decl(meta, children, "assets")

    def hdris(self, meta, children):
        return _catalog_decl(meta, children, "hdris")

    def block(self, meta, children):
        name, *settings = children
        return n.Block(n.Name(str(name), _span(name)), tuple(settings), _span(meta))

    def sample(self, meta, children):
        axis, dist, clamp, when = children
        return n.Sample(axis, dist, clamp, when, _span(meta))

    def fix(self, meta, children):
        axis, value, when = children
        return n.Fix(axis, value, when, _span(meta))

    def require(self, meta, children):
        cond, when = children
        return n.Require(cond, when, _span(meta))

    def caption(self, meta, children):
        name, weight, template = children
        name_node = n.Name(str(name), _span(name)) if name is not None else None
        string = n.String(unescape(str(template)), str(template), _span(template))
        return n.Caption(name_node, weight, string, _span(meta))

    def each(self, meta, children):
        word, *statements = children
        return n.EachObject(n.Name(str(word), _span(word)), tuple(statements), _span(meta))

    def variants(self, meta, children):
        *axes, count = children
        return n.Variants(tuple(axes), count, _span(meta))

    def variant_axis(self, meta, children):
        axis, values = children
        return n.VariantAxis(axis, values, _span(meta))

    def variant_count(self, meta, children):
        keyword, count = children
        return n.VariantCount(n.Name(str(keyword), _span(keyword)), count, _span(meta))

    def weight(self, meta, children):
        return children[0]

    def when(self, meta, children):
        return children[0]

    def clamp(self, meta, children):
        low, high = children
        return n.Clamp(low, high, _span(meta))

    # ------------------------------------------------------------ distributions
    def one_of_node(self, meta, children):
        return n.OneOfNode(children[0], _span(meta))

    def one_of_list(self, meta, children):
        return n.OneOfList(children[0], _span(meta))

    def one_of_weighted(self, meta, children):
        return n.OneOfWeighted(tuple(c for c in children if c is not None), _span(meta))

    def one_of_assets(self, meta, children):
        catalog, *terms = children
        return n.OneOfAssets(catalog, tuple(terms), _span(meta))

    def asset_term(self, meta, children):
        field, target = children
        name = n.Name(str(field), _span(field))
        if isinstance(target, n.ListValue):
            return n.AssetTerm(name, values=target, span=_span(meta))
        return n.AssetTerm(name, entries=target, span=_span(meta))

    def weight_map(self, meta, children):
        return tuple(c for c in children if c is not None)

    def weight_entry(self, meta, children):
        key, weight = children
        return n.WeightEntry(key, weight, _span(meta))

    def call(self, meta, children):
        name, *args = children
        return n.Call(n.Name(str(name), _span(name)), tuple(a for a in args if a is not None), _span(meta))

    # ------------------------------------------------------------ conditions
    def comparison(self, meta, children):
        axis, op, operand = children
        return n.Comparison(axis, str(op), operand, _span(op), _span(meta))

    def membership(self, meta, children):
        axis, target = children
        return n.Membership(axis, target, _span(meta))

    def truthy(self, meta, children):
        return n.Truthy(children[0], _span(meta))

    def not_(self, meta, children):
        return n.NotCond(children[0], _span(meta))

    def and_(self, meta, children):
        if len(children) == 1:
            return children[0]
        return n.AndCond(tuple(children), _join(children[0].span, children[-1].span))

    def or_(self, meta, children):
        if len(children) == 1:
            return children[0]
        return n.OrCond(tuple(children), _join(children[0].span, children[-1].span))

    # ------------------------------------------------------------ top
    def dataset(self, meta, children):
        name, *statements = children
        return n.Dataset(n.Name(str(name), _span(name)), tuple(statements), (), _span(meta))

    def start(self, meta, children):
        return children[0]


def build(tree: lark.Tree, comments: tuple[n.Comment, ...] = ()) -> n.Dataset:
    """Turn lark's tree into a `nodes.Dataset`; `comments` are attached for the formatter."""
    dataset = _Builder().transform(tree)
    if comments:
        dataset = n.Dataset(dataset.name, dataset.statements, comments, dataset.span)
    return dataset


def collect_comments(text: str) -> tuple[n.Comment, ...]:
    """Comments of a (syntactically valid) file, in order."""
    return tuple(n.Comment(str(token), _span(token)) for token in _scan_comments(text))


def _scan_comments(text: str):
    """Scan for comments outside strings; cheap and independent of lark's ignore rules."""
    line, col, index = 1, 1, 0
    in_string = escaped = False
    while index < len(text):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"' or char == "\n":
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "#":
            end = text.find("\n", index)
            end = len(text) if end < 0 else end
            body = text[index:end].rstrip()
            yield Token("COMMENT", body, index, line, col, line, col + len(body), index + len(body))
            col += end - index
            index = end
            continue
        if char == "\n":
            line, col = line + 1, 1
        else:
            col += 1
        index += 1
