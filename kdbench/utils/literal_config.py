"""Read a config text without executing it.

mmengine stores a run's config in its checkpoints (``meta.cfg``) as the
Python text of ``Config.pretty_text``; ``Config.fromstring(text, '.py')``
would execute that text, so a checkpoint -- even one that loads with
``weights_only=True`` -- could run code through it. The text mmengine
writes is a list of ``name = value`` assignments whose values are literals
(numbers, strings, ``True``/``False``/``None``, lists, tuples, ``{...}``,
``dict(key=value, ...)`` and ``dict({...})``); this module accepts exactly that and
refuses anything else (calls, names, attributes, imports, lambdas).
"""
import ast

from mmengine.config import Config


class UnsafeConfigText(ValueError):
    """The text holds something other than literal assignments."""


def _value(node: ast.AST):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(
            node.op, (ast.USub, ast.UAdd)) and \
            isinstance(node.operand, ast.Constant) and \
            isinstance(node.operand.value, (int, float)):
        value = node.operand.value
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.List):
        return [_value(e) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_value(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise UnsafeConfigText(f'line {node.lineno}: ** in a dict')
        return {_value(k): _value(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == 'dict' and len(node.args) <= 1 and \
            all(isinstance(a, ast.Dict) for a in node.args) and \
            all(k.arg is not None for k in node.keywords):
        # dict(key=value, ...), or dict({...}) for keys that are not
        # identifiers, as mmengine's pretty_text writes them
        value = _value(node.args[0]) if node.args else {}
        value.update({k.arg: _value(k.value) for k in node.keywords})
        return value
    raise UnsafeConfigText(
        f'line {getattr(node, "lineno", "?")}: {type(node).__name__} is '
        f'not a literal')


def literal_config(text: str) -> Config:
    """The ``Config`` that ``text`` (assignments of literals) describes;
    ``UnsafeConfigText`` for any other statement or expression."""
    try:
        tree = ast.parse(text)
    except SyntaxError as err:
        raise UnsafeConfigText(f'not Python: {err.msg}') from None
    values = {}
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            raise UnsafeConfigText(
                f'line {stmt.lineno}: {type(stmt).__name__} is not an '
                f'assignment of a literal')
        values[stmt.targets[0].id] = _value(stmt.value)
    return Config(values)
