"""Erlang C against the textbook formula in exact rational arithmetic, Erlang A against a discrete-event simulation
of the same queue, large loads without overflow, and the ``staffing`` command's answers and refusals."""

from __future__ import annotations

import heapq
import json
import math
import random
from fractions import Fraction

import pytest

from console.domain.staffing import (
    StaffingError,
    counters_required,
    erlang_a,
    erlang_c,
    erlang_c_prob_wait,
)
from tests.cli.test_cli import run


def textbook_erlang_c(load: Fraction, n: int) -> Fraction:
    """P(wait) = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)), exactly."""
    top = load ** n / math.factorial(n) * Fraction(n) / (n - load)
    return top / (sum(load ** k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize("load, n", [(Fraction(1, 2), 1), (Fraction(5), 6), (Fraction(5), 8), (Fraction(10), 11),
                                     (Fraction(10), 15), (Fraction(42, 5), 9), (Fraction(30), 40)])
def test_erlang_c_matches_the_textbook_formula(load: Fraction, n: int) -> None:
    exact = textbook_erlang_c(load, n)
    assert erlang_c_prob_wait(float(load), n) == pytest.approx(float(exact), rel=1e-12)
    # service level and mean wait from the exact P(wait), AHT 300 s, target 20 s
    aht, target = 300.0, 20.0
    figures = erlang_c(float(load) / aht, aht, n, target)
    assert figures.service_level == pytest.approx(1 - float(exact) * math.exp(-(n - float(load)) * target / aht))
    assert figures.avg_wait_s == pytest.approx(float(exact) * aht / (n - float(load)))
    assert figures.occupancy == pytest.approx(float(load) / n)


def test_large_loads_do_not_overflow() -> None:
    answer = counters_required(5000 / 300, 300, 20, 0.8)  # 5,000 Erlangs: 5000!/5000^5000 would overflow a float
    assert answer.figures.counters > 5000 and 0.8 <= answer.figures.service_level < 0.9
    fewer = erlang_c(5000 / 300, 300, answer.figures.counters - 1, 20)
    assert fewer.service_level < 0.8  # the fewest
    patient = erlang_a(500 / 300, 300, 505, 20, patience_s=600)
    assert 0 < patient.prob_wait < 1 and 0 <= patient.abandon_share < 0.05


def simulate_mmn_m(lam: float, aht: float, n: int, patience: float, target: float, customers: int, seed: int):
    """FCFS M/M/N+M by discrete events: (P(wait), share served within target, mean wait, abandon share)."""
    rng = random.Random(seed)
    t, free = 0.0, n
    queue: list[tuple[float, float]] = []  # (arrival, give-up time), FCFS
    finishes: list[float] = []
    waited = within = abandoned = 0
    total_wait = 0.0
    for _ in range(customers):
        t += rng.expovariate(lam)
        while finishes and finishes[0] <= t:  # serve the queue as counters free up before this arrival
            done = heapq.heappop(finishes)
            while queue:
                arrival, gives_up = queue.pop(0)
                if gives_up <= done:  # gave up before a counter was free
                    abandoned += 1
                    total_wait += gives_up - arrival
                    continue
                total_wait += done - arrival
                within += done - arrival <= target
                heapq.heappush(finishes, done + rng.expovariate(1 / aht))
                break
            else:
                free += 1
        if free:
            free -= 1
            within += 1
            heapq.heappush(finishes, t + rng.expovariate(1 / aht))
        else:
            waited += 1
            queue.append((t, t + rng.expovariate(1 / patience)))
    return waited / customers, within / customers, total_wait / customers, abandoned / customers


@pytest.mark.parametrize("lam_per_h, aht_min, n, patience_min", [(100, 3, 5, 2), (200, 5, 14, 10), (60, 4, 3, 5)])
def test_erlang_a_matches_a_simulation(lam_per_h: float, aht_min: float, n: int, patience_min: float) -> None:
    lam, aht, patience, target = lam_per_h / 3600, aht_min * 60, patience_min * 60, 60.0
    figures = erlang_a(lam, aht, n, target, patience)
    p_wait, served_within, mean_wait, abandon = simulate_mmn_m(lam, aht, n, patience, target, 200_000, seed=7)
    assert figures.prob_wait == pytest.approx(p_wait, abs=0.01)
    assert figures.service_level == pytest.approx(served_within, abs=0.01)
    assert figures.abandon_share == pytest.approx(abandon, abs=0.01)
    assert figures.avg_wait_s == pytest.approx(mean_wait, rel=0.05, abs=2.0)


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    a, c = erlang_a(100 / 3600, 180, 8, 20, patience_s=1e9), erlang_c(100 / 3600, 180, 8, 20)
    assert a.prob_wait == pytest.approx(c.prob_wait, rel=1e-4)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-4)
    assert a.avg_wait_s == pytest.approx(c.avg_wait_s, rel=1e-3)


def test_required_counters_are_the_fewest() -> None:
    for patience in (None, 120.0):
        answer = counters_required(100 / 3600, 180, 20, 0.8, patience)
        n = answer.figures.counters
        assert answer.figures.service_level >= 0.8
        if patience is None:
            assert erlang_c(100 / 3600, 180, n - 1, 20).service_level < 0.8
        else:
            assert erlang_a(100 / 3600, 180, n - 1, 20, patience).service_level < 0.8
    with pytest.raises(StaffingError, match="load"):
        erlang_c(100 / 3600, 180, 5, 20)  # 5 Erlangs on 5 counters
    with pytest.raises(StaffingError, match="fraction"):
        counters_required(100 / 3600, 180, 20, 80)


def test_staffing_command(tmp_path) -> None:
    result = run("staffing", "--arrivals-per-hour", "100", "--aht-minutes", "3", "--target-wait-minutes", "0.5",
                 "--target-share", "0.8", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = counters_required(100 / 3600, 180, 30, 0.8)
    assert data["counters_required"] == expected.figures.counters and data["model"] == "erlang_c"
    assert data["service_level"] == pytest.approx(expected.figures.service_level)
    assert data["avg_wait_min"] == pytest.approx(expected.figures.avg_wait_s / 60)
    assert set(data) >= {"counters_required", "service_level", "prob_wait", "occupancy", "avg_wait_min", "model"}
    patient = json.loads(run("staffing", "--arrivals-per-hour", "100", "--aht-minutes", "3", "--target-wait-minutes",
                             "0.5", "--target-share", "0.8", "--patience-minutes", "2", "--json",
                             data_dir=tmp_path).stdout)
    assert patient["model"] == "erlang_a" and patient["counters_required"] <= data["counters_required"]
    text = run("staffing", "--arrivals-per-hour", "100", "--aht-minutes", "3", "--target-wait-minutes", "0.5",
               "--target-share", "0.8", data_dir=tmp_path).stdout
    assert f"counters required: {data['counters_required']}" in text

    for args, needle in ((["--arrivals-per-hour", "-5"], "--arrivals-per-hour must be a number ≥ 0, got -5"),
                         (["--target-share", "80"], "--target-share must be a fraction"),
                         (["--counters", "4"], "cannot carry a load of 5.00 Erlangs"),
                         (["--aht-minutes", "0"], "--aht-minutes must be above 0")):
        base = {"--arrivals-per-hour": "100", "--aht-minutes": "3", "--target-wait-minutes": "1",
                "--target-share": "0.8"}
        base.update(dict(zip(args[::2], args[1::2])))
        bad = run("staffing", *[x for kv in base.items() for x in kv], data_dir=tmp_path)
        assert bad.returncode != 0 and needle in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
