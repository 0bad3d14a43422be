"""Every distribution against its law on 200k draws, and a wrong law failing the same test."""

import numpy as np
import pytest
from scipy import stats

from psynth_spec.sampler import sample_range
from psynth_spec.spec import Bernoulli, Beta, LogNormal, LogUniform, Normal, RandInt, Triangular, Uniform
from tests.spec_factory import choice, make_spec, stmt

N = 200_000
ALPHA = 1e-3  # fixed seeds: these p-values are deterministic, the threshold only documents intent


def draws(dist, type_="float", seed=11, clamp=None):
    spec = make_spec([stmt("x.value", type_, dist, clamp=clamp)], samples=N, shard_size=N, seed=seed)
    return sample_range(spec, 0, N)["x_value"].to_numpy()


CONTINUOUS = [
    (Uniform(low=-2.0, high=5.0), stats.uniform(-2.0, 7.0), stats.uniform(-2.0, 7.2)),
    (LogUniform(low=1.4, high=16.0), stats.loguniform(1.4, 16.0), stats.uniform(1.4, 14.6)),
    (Normal(mean=5600.0, std=900.0), stats.norm(5600.0, 900.0), stats.norm(5600.0, 920.0)),
    (LogNormal(mu=0.5, sigma=0.8), stats.lognorm(0.8, scale=np.exp(0.5)), stats.lognorm(0.85, scale=np.exp(0.5))),
    (Beta(a=2.0, b=5.0), stats.beta(2.0, 5.0), stats.beta(2.1, 5.0)),
    (Beta(a=0.5, b=0.5), stats.beta(0.5, 0.5), stats.beta(0.55, 0.5)),
    (Triangular(low=0.0, mode=2.0, high=10.0), stats.triang(0.2, 0.0, 10.0), stats.triang(0.25, 0.0, 10.0)),
]


@pytest.mark.parametrize("dist, law, wrong", CONTINUOUS, ids=lambda v: getattr(v, "kind", ""))
def test_continuous_matches_its_law_and_not_a_near_miss(dist, law, wrong):
    x = draws(dist)
    assert len(x) == N and np.isfinite(x).all()
    assert stats.kstest(x, law.cdf).pvalue > ALPHA
    assert stats.kstest(x, wrong.cdf).pvalue < ALPHA


def test_uniform_support_is_half_open():
    x = draws(Uniform(low=1.0, high=2.0))
    assert x.min() >= 1.0 and x.max() < 2.0


def test_clamp_clips_into_range_and_keeps_the_law_inside():
    x = draws(Normal(mean=0.0, std=1.0), clamp=(-1.0, 1.5))
    assert x.min() == -1.0 and x.max() == 1.5
    assert abs((x == -1.0).mean() - stats.norm.cdf(-1.0)) < 0.004
    assert abs((x == 1.5).mean() - stats.norm.sf(1.5)) < 0.003
    inside = x[(x > -1.0) & (x < 1.5)]
    truncated = stats.truncnorm(-1.0, 1.5)
    assert stats.kstest(inside, truncated.cdf).pvalue > ALPHA


def _chi_square(observed_values, support, probs):
    counts = np.array([(observed_values == v).sum() for v in support])
    assert counts.sum() == len(observed_values), "values outside the support"
    return stats.chisquare(counts, np.asarray(probs) * len(observed_values)).pvalue


def test_randint_is_uniform_over_both_ends():
    x = draws(RandInt(low=-1, high=4), type_="int")
    assert x.dtype == np.int64
    support = list(range(-1, 5))
    assert _chi_square(x, support, [1 / 6] * 6) > ALPHA
    assert _chi_square(x, support, [0.18, 0.16, 0.16, 0.16, 0.16, 0.18]) < ALPHA


def test_bernoulli_rate():
    x = draws(Bernoulli(p=0.3), type_="bool")
    assert x.dtype == bool
    assert stats.binomtest(int(x.sum()), N, 0.3).pvalue > ALPHA
    assert stats.binomtest(int(x.sum()), N, 0.31).pvalue < ALPHA


def test_weighted_numeric_choice():
    x = draws(choice([35, 50, 85, 105], [3, 1, 1, 5]))
    probs = [0.3, 0.1, 0.1, 0.5]
    assert _chi_square(x, [35.0, 50.0, 85.0, 105.0], probs) > ALPHA
    assert _chi_square(x, [35.0, 50.0, 85.0, 105.0], [0.32, 0.1, 0.1, 0.48]) < ALPHA


def test_weighted_category_choice():
    values = ["metal.gold", "metal.silver", "glass.clear", "plastic.glossy"]
    weights = [2 / 7, 2 / 7, 2 / 7, 1 / 7]  # e.g. {metal: ..., ...} after splitting
    spec = make_spec([stmt("material", "category", choice(values, weights))], samples=N, shard_size=N)
    x = sample_range(spec, 0, N)["material"].to_numpy()
    assert _chi_square(x, values, weights) > ALPHA
    assert _chi_square(x, values, [0.25] * 4) < ALPHA


def test_boolean_choice_and_fixed_values():
    from psynth_spec.spec import Fixed

    spec = make_spec(
        [
            stmt("camera.dof", "bool", choice([True, False], [1, 3])),
            stmt("style", "category", Fixed(value="photoreal")),
            stmt("geometry.subdivision", "int", Fixed(value=2)),
        ],
        samples=N,
        shard_size=N,
    )
    frame = sample_range(spec, 0, N)
    assert stats.binomtest(int(frame["camera_dof"].sum()), N, 0.25).pvalue > ALPHA
    assert set(frame["style"].unique()) == {"photoreal"}
    assert set(frame["geometry_subdivision"].unique()) == {2}


def test_axes_are_independent_streams():
    spec = make_spec(
        [stmt("a.x", "float", Uniform(low=0.0, high=1.0)), stmt("a.y", "float", Uniform(low=0.0, high=1.0))],
        samples=N,
        shard_size=N,
    )
    frame = sample_range(spec, 0, N)
    r = stats.pearsonr(frame["a_x"].to_numpy(), frame["a_y"].to_numpy())
    assert r.pvalue > ALPHA
    # consecutive sample ids of one stream are not correlated either
    x = frame["a_x"].to_numpy()
    assert stats.pearsonr(x[:-1], x[1:]).pvalue > ALPHA
