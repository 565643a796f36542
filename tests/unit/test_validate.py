"""Argument checks: the message names the argument, the value and what is accepted."""

import pytest

from course import validate


def test_integer_accepts_ints_and_rejects_bools_and_floats():
    assert validate.integer("n", 3) == 3
    with pytest.raises(TypeError, match=r"n must be an integer, got True \(bool\)"):
        validate.integer("n", True)
    with pytest.raises(TypeError, match="n must be an integer"):
        validate.integer("n", 2.0)


def test_positive_int_names_the_bound():
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        validate.positive_int("batch_size", 0)


@pytest.mark.parametrize("value, message", [
    (float("nan"), "lr must be finite"),
    (0.0, "lr must be > 0.0"),
    (-1, "lr must be > 0.0"),
])
def test_positive_rejects_nan_zero_and_negative(value, message):
    with pytest.raises(ValueError, match=message):
        validate.positive("lr", value)


def test_number_bounds_inclusive_and_strict():
    assert validate.number("p", 1.0, minimum=0, maximum=1) == 1.0
    with pytest.raises(ValueError, match="p must be < 1"):
        validate.number("p", 1.0, minimum=0, maximum=1, strict=True)


def test_one_of_lists_the_accepted_values():
    with pytest.raises(ValueError, match="mode must be one of 'mix', 'shuffle'; got 'swap'"):
        validate.one_of("mode", "swap", ("mix", "shuffle"))


def test_instance_names_the_expected_type():
    with pytest.raises(TypeError, match="x must be int or str, got 1.5"):
        validate.instance("x", 1.5, (int, str))
