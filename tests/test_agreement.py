"""The agreement statistics (app/codings/agreement.py) against published worked examples."""

from __future__ import annotations

import pytest

from app.codings.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha


def test_cohen_kappa_of_the_wikipedia_example_is_0_4():
    """Wikipedia, "Cohen's kappa", section "Simple example": 50 grant proposals read by two readers,
    20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no; p_o = 0.7, p_e = 0.5, kappa = 0.4.
    https://en.wikipedia.org/wiki/Cohen%27s_kappa#Simple_example"""
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_cohen_kappa_is_undefined_when_both_coders_put_everything_in_one_category():
    assert cohen_kappa([(False, False)] * 7) is None
    assert cohen_kappa([]) is None


def test_cohen_kappa_of_perfect_and_of_opposite_agreement():
    assert cohen_kappa([(True, True), (False, False)] * 3) == pytest.approx(1.0)
    assert cohen_kappa([(True, False), (False, True)] * 3) == pytest.approx(-1.0)


def test_fleiss_kappa_of_the_wikipedia_worked_example_is_0_210():
    """Wikipedia, "Fleiss' kappa", section "Worked example": 14 raters put 10 subjects into 5
    categories; P_bar = 0.378, P_e = 0.213, kappa = 0.210.
    https://en.wikipedia.org/wiki/Fleiss%27_kappa#Worked_example"""
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(counts) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_kappa_refuses_units_with_different_numbers_of_raters_and_is_undefined_for_one_category():
    with pytest.raises(ValueError):
        fleiss_kappa([[2, 1], [1, 1]])
    assert fleiss_kappa([[0, 3], [0, 3]]) is None


def test_krippendorff_alpha_of_the_published_nominal_example_with_missing_values_is_0_743():
    """Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
    Communication, University of Pennsylvania, section C: four observers, twelve units, nominal
    data with missing values (unit 12 has one value and drops out); alpha = 0.743.
    https://repository.upenn.edu/asc_papers/43/"""
    n = None
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    units = [list(unit) for unit in zip(*observers, strict=True)]
    assert krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)


def test_krippendorff_alpha_is_undefined_without_pairable_values_or_variation():
    assert krippendorff_alpha([[1, None], [None, 2]]) is None
    assert krippendorff_alpha([[True, True], [True, True, None]]) is None


def test_krippendorff_alpha_agrees_with_cohen_in_the_large_sample_limit_for_two_coders():
    """With two coders and no missing values alpha is close to kappa (they differ by a small-sample
    correction): the same Wikipedia example gives alpha = 0.406."""
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert krippendorff_alpha([list(p) for p in pairs]) == pytest.approx(0.4, abs=0.01)
