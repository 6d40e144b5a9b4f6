import numpy as np
import pytest

from helpers import DIGITS_RULES
from surety_colep import Rule, Variables, parse_rules, read_rules, write_rules


def test_digits_rules_declare_classes_then_concepts():
    v = read_rules(DIGITS_RULES)
    assert v.classes == [f"d{k}" for k in range(10)]
    assert v.concepts == ["loop", "vertical", "topbar", "roundbottom", "diagonal"]
    assert list(v.names) == v.classes + v.concepts
    assert v.default_columns == list(v.names)
    # d7 => vertical, topbar, diagonal (Examples/colep-digits/README.md)
    assert v.concept_table()[7] == [0, 1, 1, 0, 1]
    assert v.concept_table()[1] == [0, 1, 0, 0, 0]
    assert len(v.implications) == 17


def test_declarations_with_comments_commas_tabs_crlf_and_plain_variables():
    text = ("# header\r\nconcepts:\tred, round  # trailing\r\n\r\nclasses: stop,yield\r\n"
            "variables: extra\r\nstop => red w=1 pc=color\r\nstop & yield => !round w=hard\r\n")
    v = parse_rules(text)
    assert v.names == ("red", "round", "stop", "yield", "extra")
    assert v.roles == ("concept", "concept", "class", "class", "variable")
    assert v.classes == ["stop", "yield"]
    assert v.binary == ["red", "round", "extra"]
    assert v.default_columns == ["stop", "yield", "red", "round", "extra"]
    assert v.implications == (("stop", "red"),)


@pytest.mark.parametrize("text, message", [
    ("classes: a b a\n", "'a' declared a second time"),
    ("classes: a\nconcepts: a\n", "declared a second time"),
    ("colors: red\nclasses: a\n", "'colors:' is not a declaration"),
    ("concepts: red\n", "no 'classes:' line"),
    ("classes:\n", "no names after 'classes:'"),
    ("classes: a b$c\n", "is not a variable name"),
])
def test_malformed_declarations_are_refused_with_the_line(text, message):
    with pytest.raises(ValueError, match=message):
        parse_rules(text, file="k.rules")


def test_write_rules_reads_back_and_keeps_declaration_order(tmp_path):
    v = Variables(("red", "stop", "yield", "round"), ("concept", "class", "class", "concept"))
    rules = [Rule("stop", "red", 1.5, "color"), Rule("yield", ["round", "!red"], "hard"), Rule((), "red", 0.25)]
    path = tmp_path / "k.rules"
    write_rules(path, v, rules)
    text = path.read_text()
    assert text.splitlines() == ["concepts: red", "classes: stop yield", "concepts: round",
                                 "stop => red  w=1.5  pc=color", "yield => round | !red  w=hard", "red  w=0.25"]
    back = read_rules(path)
    assert back == v and back.implications == (("stop", "red"),)
    assert not [p for p in tmp_path.iterdir() if p.name != "k.rules"], "no temporary file left behind"


def test_write_rules_refuses_unknown_names_and_bad_weights(tmp_path):
    v = Variables.from_names(["a"], ["b"])
    for rule, message in [(Rule("a", "c"), "'c' is not a declared variable"), (Rule("a", "b", -1.0), "weight"),
                          (Rule("a", "b", float("nan")), "weight"), (Rule("a", "b", 1, "bad name"), "circuit name")]:
        with pytest.raises(ValueError, match=message):
            write_rules(tmp_path / "k.rules", v, [rule])
    assert not (tmp_path / "k.rules").exists()


def test_class_indices_from_names_and_integers():
    v = Variables.from_names(["a", "b", "c"], ["k"])
    assert v.class_indices(["c", 0, np.int64(1), 2.0]) == [2, 0, 1, 2]
    with pytest.raises(ValueError, match=r"label of sample 1: 3 is out of range: class indices are 0..2"):
        v.class_indices([0, 3])
    with pytest.raises(ValueError, match=r"label of sample 2: 'k' is not a class"):
        v.class_indices(["a", "b", "k"])
    with pytest.raises(ValueError, match="label of sample 0: -1 is out of range"):
        v.class_indices([-1])
    with pytest.raises(ValueError, match="label of sample 0: 1.5 is out of range"):
        v.class_indices([1.5])
    with pytest.raises(ValueError, match="neither a class index nor a class name"):
        v.class_indices([None])
