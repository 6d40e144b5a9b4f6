"""The variable declarations of a COLEP rules file, and a writer for rules files.

`colep` reads its knowledge from a rules file (see ``Examples/colep-digits/digits.rules``)::

    classes:  d0 d1 d2
    concepts: loop vertical
    d0 => loop      w=1.5  pc=shape
    d1 => vertical  w=1.5  pc=strokes

The ``classes:`` and ``concepts:`` lines (and the rarer ``variables:``) declare the sensor
variables; their *declaration order* is the column order of the NPY files `colep` reads and
the class order behind a class index. This module parses only what the data files need —
the declarations, plus the simple ``class => concept`` implications so that concept labels
for training can be derived — and leaves the full rule grammar to `colep` itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence, Union

from ._atomic import write_text_atomically

__all__ = ["Variables", "Rule", "parse_rules", "read_rules", "write_rules"]

_NAME = re.compile(r"[A-Za-z0-9_.\-]+\Z")
_DECLARATION = re.compile(r"\s*([A-Za-z0-9_.\-]+)\s*:(.*)\Z")
_IMPLICATION = re.compile(r"\s*([A-Za-z0-9_.\-]+)\s*=>\s*([A-Za-z0-9_.\-]+)(?:\s+[A-Za-z]+=\S*)*\s*\Z")
_ROLES = {"classes": "class", "concepts": "concept", "variables": "variable"}


@dataclass(frozen=True)
class Variables:
    """The sensor variables of a knowledge base, in declaration order.

    Attributes:
        names: every variable, in the order the rules file declares them (the NPY column
            order after the class index).
        roles: ``"class"``, ``"concept"`` or ``"variable"`` for each name.
        implications: ``(antecedent, consequent)`` pairs of the file's single-literal rules
            ``a => b`` (empty when built by hand).
    """

    names: tuple
    roles: tuple
    implications: tuple = field(default=(), compare=False)

    def __post_init__(self):
        if len(self.names) != len(self.roles):
            raise ValueError(f"{len(self.names)} names but {len(self.roles)} roles")
        seen = set()
        for name, role in zip(self.names, self.roles):
            if not isinstance(name, str) or not _NAME.match(name):
                raise ValueError(f"variable name {name!r}: names are letters, digits, '_', '.' and '-'")
            if name in seen:
                raise ValueError(f"variable {name!r} declared twice")
            if role not in ("class", "concept", "variable"):
                raise ValueError(f"role {role!r} of {name!r}: expected 'class', 'concept' or 'variable'")
            seen.add(name)
        if "class" not in self.roles:
            raise ValueError("no classes declared: COLEP needs at least one 'classes:' name")

    @classmethod
    def from_names(cls, classes: Sequence[str], concepts: Sequence[str] = ()) -> "Variables":
        """Classes then concepts, the order ``write_rules`` declares them in."""
        return cls(tuple(classes) + tuple(concepts), ("class",) * len(classes) + ("concept",) * len(concepts))

    @property
    def classes(self) -> list:
        """The class names in declaration order (class index ``k`` is ``classes[k]``)."""
        return [n for n, r in zip(self.names, self.roles) if r == "class"]

    @property
    def concepts(self) -> list:
        """The concept names in declaration order."""
        return [n for n, r in zip(self.names, self.roles) if r == "concept"]

    @property
    def binary(self) -> list:
        """Every variable that is not a class (concepts and plain variables), in declaration
        order: the sensors that vote when their probability exceeds ½."""
        return [n for n, r in zip(self.names, self.roles) if r != "class"]

    @property
    def default_columns(self) -> list:
        """The model-output column order assumed when none is given: class columns, then
        the other variables, each group in declaration order."""
        return self.classes + self.binary

    def has(self, klass: str, concept: str) -> bool:
        """Whether the file states ``klass => concept`` (a single-literal implication)."""
        return (klass, concept) in set(self.implications)

    def concept_table(self) -> "list[list[int]]":
        """``table[c][l] = 1`` when the file states ``classes[c] => concepts[l]``: the concept
        labels to train concept sensors on (a class without the rule is taken to lack the
        concept)."""
        pairs = set(self.implications)
        return [[int((c, l) in pairs) for l in self.concepts] for c in self.classes]

    def class_indices(self, labels) -> "list[int]":
        """Class indices ``0..len(classes)-1`` for labels given as indices or class names.

        Raises:
            ValueError: naming the first sample whose label is not a class.
        """
        classes = self.classes
        index = {name: k for k, name in enumerate(classes)}
        out = []
        for i, y in enumerate(labels):
            if isinstance(y, str):
                if y not in index:
                    raise ValueError(f"label of sample {i}: {y!r} is not a class; the classes are {', '.join(classes)}")
                out.append(index[y])
                continue
            try:
                k = int(y)
                integral = k == y
            except (TypeError, ValueError):
                raise ValueError(f"label of sample {i}: {y!r} is neither a class index nor a class name") from None
            if not integral or not 0 <= k < len(classes):
                raise ValueError(f"label of sample {i}: {y!r} is out of range: class indices are 0..{len(classes) - 1} "
                                 f"({', '.join(classes)})")
            out.append(k)
        return out


def parse_rules(text: str, file: str = "<rules>") -> Variables:
    """Reads the variable declarations (and ``a => b`` implications) of rules-file text.

    A ``#`` starts a comment; names on a declaration line are separated by spaces, tabs or
    commas. Lines that are neither declarations nor single-literal implications are rules
    of other shapes and are skipped here (``colep`` checks them).

    Raises:
        ValueError: with the file and line for a malformed name, a name declared twice, an
            unknown ``word:`` declaration, or a file without classes.
    """
    names, roles, implications = [], [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        m = _DECLARATION.match(line)
        if m:
            keyword, rest = m.groups()
            if keyword not in _ROLES:
                raise ValueError(f"{file}:{number}: '{keyword}:' is not a declaration; expected 'classes:', 'concepts:' or 'variables:'")
            declared = [t for t in re.split(r"[\s,]+", rest) if t]
            if not declared:
                raise ValueError(f"{file}:{number}: no names after '{keyword}:'")
            for name in declared:
                if not _NAME.match(name):
                    raise ValueError(f"{file}:{number}: {name!r} is not a variable name (letters, digits, '_', '.', '-')")
                if name in names:
                    raise ValueError(f"{file}:{number}: {name!r} declared a second time")
                names.append(name)
                roles.append(_ROLES[keyword])
            continue
        m = _IMPLICATION.match(line)
        if m:
            implications.append((m.group(1), m.group(2)))
    if "class" not in roles:
        raise ValueError(f"{file}: no 'classes:' line; COLEP needs the class names")
    return Variables(tuple(names), tuple(roles), tuple(implications))


def read_rules(path: Union[str, os.PathLike]) -> Variables:
    """Reads the variable declarations of a rules file; see ``parse_rules``."""
    with open(path, encoding="utf-8") as handle:
        return parse_rules(handle.read(), file=os.fspath(path))


@dataclass(frozen=True)
class Rule:
    """One weighted rule ``antecedent => consequent`` of a rules file.

    ``antecedent`` and ``consequent`` are a variable name, ``"!name"`` for a negated literal,
    or a list of them (joined with ``&`` on the left and ``|`` on the right); an empty
    antecedent makes the rule a clause. ``weight`` is a finite number ≥ 0 or ``"hard"``;
    ``circuit`` names the probabilistic circuit the rule belongs to (COLEP's PC, ``pc=``).
    """

    antecedent: Union[str, Sequence[str]]
    consequent: Union[str, Sequence[str]]
    weight: Union[float, str] = 1.5
    circuit: Union[str, None] = None


def _literals(side) -> list:
    return [side] if isinstance(side, str) else list(side)


def write_rules(path: Union[str, os.PathLike], variables: Variables, rules: Iterable[Rule]) -> None:
    """Writes a rules file declaring ``variables`` (in their order) and the ``rules``, atomically.

    Raises:
        ValueError: for a literal that is not a declared variable, a negative or non-finite
            weight, or a circuit name with characters outside letters, digits, ``_.-``.
    """
    known = set(variables.names)
    keywords = {role: keyword for keyword, role in _ROLES.items()}
    lines = []
    # One declaration line per run of same-role names keeps the declaration order exactly.
    for name, role in zip(variables.names, variables.roles):
        if lines and lines[-1][0] == role:
            lines[-1][1].append(name)
        else:
            lines.append((role, [name]))
    lines = [f"{keywords[role]}: {' '.join(group)}" for role, group in lines]
    for k, rule in enumerate(rules):
        sides = []
        for side, joiner in ((rule.antecedent, " & "), (rule.consequent, " | ")):
            literals = _literals(side)
            for literal in literals:
                if literal.lstrip("!") not in known:
                    raise ValueError(f"rule {k}: {literal!r} is not a declared variable")
            sides.append(joiner.join(literals))
        if not sides[1]:
            raise ValueError(f"rule {k}: empty consequent")
        if rule.weight == "hard":
            weight = "hard"
        else:
            w = float(rule.weight)
            if not (w >= 0 and w != float("inf")):
                raise ValueError(f"rule {k}: weight {rule.weight!r}; expected a finite number ≥ 0 or 'hard'")
            weight = repr(w)
        formula = f"{sides[0]} => {sides[1]}" if sides[0] else sides[1]
        text = f"{formula}  w={weight}"
        if rule.circuit is not None:
            if not _NAME.match(rule.circuit):
                raise ValueError(f"rule {k}: circuit name {rule.circuit!r}: letters, digits, '_', '.' and '-'")
            text += f"  pc={rule.circuit}"
        lines.append(text)
    write_text_atomically(path, "\n".join(lines) + "\n")
