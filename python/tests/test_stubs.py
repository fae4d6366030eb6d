"""The type stubs (zkinfer.pyi) name exactly what the module defines."""
import ast

import zkinfer
from conftest import ROOT


def test_stubs_match_the_module():
    tree = ast.parse((ROOT / "python" / "zkinfer.pyi").read_text())
    classes = {n.name: {m.name for m in n.body if isinstance(m, ast.FunctionDef)}
               for n in tree.body if isinstance(n, ast.ClassDef)}
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    public = {k for k in dir(zkinfer) if not k.startswith("_")}
    assert public == set(classes) | functions
    for name, members in classes.items():
        cls = getattr(zkinfer, name)
        if issubclass(cls, BaseException):
            continue
        assert {m for m in dir(cls) if not m.startswith("_")} == {m for m in members if not m.startswith("_")}, name
        for m in members:
            assert hasattr(cls, m), f"{name}.{m}"
