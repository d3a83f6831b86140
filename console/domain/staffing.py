"""Staffing maths: Erlang C (customers wait as long as it takes) and Erlang A (customers give up after an
exponential patience), exact and numerically stable for large loads.

Units: rates per hour are converted by the callers; here every time is in seconds. ``arrivals_per_s`` is λ,
``aht_s`` the average handling time 1/μ, ``load`` = λ·AHT in Erlangs (counters' worth of work), ``counters`` N.

Erlang C (M/M/N): the probability of waiting comes from the Erlang B recursion B(0) = 1,
B(n) = a·B(n−1) / (n + a·B(n−1)), then C = N·B / (N − a·(1 − B)) — no factorials or powers, so a load of
thousands of Erlangs is as exact as a small one. Service level P(W ≤ T) = 1 − C·exp(−(N − a)·T/AHT); mean wait
C·AHT/(N − a); occupancy a/N. The queue is unstable (waits grow without bound) when a ≥ N.

Erlang A (M/M/N+M, patience mean 1/θ): the number of customers in the branch is a birth-death chain (arrivals λ;
departures n·μ up to N, then N·μ + (n − N)·θ) whose stationary distribution is summed in log space until the
terms vanish. By PASTA an arriving customer finds n customers with probability π_n: P(wait) = Σ_{n≥N} π_n; the
mean number waiting E[Q] gives the abandonment share θ·E[Q]/λ and the mean wait E[Q]/λ (Little, over all
arrivals, time until served or gone). The service level is the share of customers *served* within T (those who
give up count as not served, like the day report's abandoned tickets): with k customers ahead the tagged customer
reaches a counter after k+1 queue departures at rates N·μ + jθ (j = k … 0 ahead of them) unless their own
patience runs out first (rate θ); that probability is computed by uniformization. Erlang A is stable for any
load.

Only the standard library: the domain contract in pyproject.toml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Terms of the stationary distribution below this share of the largest are dropped (Erlang A).
_TAIL = 1e-15


class StaffingError(ValueError):
    """Arguments the maths cannot use; the message names the value and why."""


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """What N counters give under a load: fractions (0-1) and seconds."""

    counters: int
    prob_wait: float
    service_level: float  # share of customers whose wait is at most the target
    avg_wait_s: float  # over all customers (those who do not wait count 0)
    occupancy: float  # share of counter time spent serving
    abandon_share: float = 0.0  # Erlang A: customers who give up


def _check(arrivals_per_s: float, aht_s: float, target_s: float) -> None:
    for name, value in (("arrivals", arrivals_per_s), ("handling time", aht_s), ("target wait", target_s)):
        if not math.isfinite(value) or value < 0:
            raise StaffingError(f"{name} must be a number ≥ 0, got {value}")
    if aht_s == 0:
        raise StaffingError("handling time must be above 0")


def erlang_b(load: float, counters: int) -> float:
    """Blocking probability of N counters under ``load`` Erlangs (the stable recursion)."""
    b = 1.0
    for n in range(1, counters + 1):
        b = load * b / (n + load * b)
    return b


def erlang_c_prob_wait(load: float, counters: int) -> float:
    """Probability that a customer has to wait (Erlang C); 1.0 when the queue is unstable (load ≥ counters)."""
    if counters <= 0 or load >= counters:
        return 1.0
    if load == 0:
        return 0.0
    b = erlang_b(load, counters)
    return counters * b / (counters - load * (1 - b))


def erlang_c(arrivals_per_s: float, aht_s: float, counters: int, target_s: float) -> QueueFigures:
    """Erlang C figures for N counters; StaffingError when the load is not below N (the queue never empties)."""
    _check(arrivals_per_s, aht_s, target_s)
    load = arrivals_per_s * aht_s
    if counters < 1 or load >= counters:
        raise StaffingError(f"a load of {load:.2f} Erlangs needs more than {counters} counters: with load ≥ "
                            f"counters the queue grows without bound")
    c = erlang_c_prob_wait(load, counters)
    service_level = 1.0 - c * math.exp(-(counters - load) * target_s / aht_s)
    return QueueFigures(counters=counters, prob_wait=c, service_level=max(0.0, min(1.0, service_level)),
                        avg_wait_s=c * aht_s / (counters - load), occupancy=load / counters)


def _stationary_log(arrivals_per_s: float, mu: float, theta: float, counters: int) -> list[float]:
    """log π_n (unnormalised) of the Erlang A chain, n = 0 … until the terms vanish."""
    logs = [0.0]
    n = 0
    peak = 0.0
    while True:
        n += 1
        death = min(n, counters) * mu + max(0, n - counters) * theta
        logs.append(logs[-1] + math.log(arrivals_per_s) - math.log(death))
        peak = max(peak, logs[-1])
        if n > counters and logs[-1] < peak + math.log(_TAIL) and death > arrivals_per_s:
            return logs
        if n > 10_000_000:
            raise StaffingError("the load is too large to compute")


def _within_target(ahead: list[float], counters: int, mu: float, theta: float, target_s: float) -> float:
    """Σ_k ahead[k]·P(a customer with k ahead is served within target_s): the queue ahead shrinks at rate
    N·μ + j·θ (j ahead) while the customer gives up at rate θ — a death chain from k to "served" with a competing
    exit, all starting points at once, by uniformization at the largest rate."""
    top = len(ahead) - 1
    rate = counters * mu + top * theta + theta  # the queue ahead moves, or the customer gives up
    lt = rate * target_s
    if lt == 0 or top < 0:
        return 0.0
    states = list(ahead)
    down = [(counters * mu + j * theta) / rate for j in range(top + 1)]
    leave = theta / rate
    absorbed = 0.0
    log_poisson = -lt
    within = 0.0
    seen = 0.0
    m = 0
    while True:
        weight = math.exp(log_poisson) if log_poisson > -745 else 0.0
        within += weight * absorbed
        seen += weight
        if m > lt and (1 - seen) < 1e-13:
            break
        if m > lt + 40 * math.sqrt(lt) + 100:
            within += (1 - seen) * absorbed
            break
        absorbed += states[0] * down[0]
        states = [states[j] * (1 - down[j] - leave) + (states[j + 1] * down[j + 1] if j < top else 0.0)
                  for j in range(top + 1)]
        m += 1
        log_poisson += math.log(lt) - math.log(m)
    return within


def erlang_a(arrivals_per_s: float, aht_s: float, counters: int, target_s: float, patience_s: float) -> QueueFigures:
    """Erlang A figures for N counters with mean patience ``patience_s``."""
    _check(arrivals_per_s, aht_s, target_s)
    if not math.isfinite(patience_s) or patience_s <= 0:
        raise StaffingError(f"patience must be a number of minutes above 0, got {patience_s / 60:g}")
    if counters < 1:
        raise StaffingError(f"counters must be at least 1, got {counters}")
    if arrivals_per_s == 0:
        return QueueFigures(counters, 0.0, 1.0, 0.0, 0.0)
    mu, theta = 1.0 / aht_s, 1.0 / patience_s
    logs = _stationary_log(arrivals_per_s, mu, theta, counters)
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    norm = sum(weights)
    pi = [w / norm for w in weights]
    prob_wait = sum(pi[counters:])
    queue = sum((n - counters) * p for n, p in enumerate(pi) if n > counters)
    busy = sum(min(n, counters) * p for n, p in enumerate(pi))
    within = sum(pi[:counters])  # no wait at all
    within += _within_target(pi[counters:], counters, mu, theta, target_s)
    return QueueFigures(counters=counters, prob_wait=prob_wait, service_level=max(0.0, min(1.0, within)),
                        avg_wait_s=queue / arrivals_per_s, occupancy=busy / counters,
                        abandon_share=theta * queue / arrivals_per_s)


@dataclass(frozen=True, slots=True)
class StaffingAnswer:
    model: str  # "erlang_c" or "erlang_a"
    load: float  # Erlangs
    figures: QueueFigures  # at the counters required


def counters_required(arrivals_per_s: float, aht_s: float, target_s: float, target_share: float,
                      patience_s: float | None = None) -> StaffingAnswer:
    """The fewest counters whose service level (share within ``target_s``) reaches ``target_share``."""
    _check(arrivals_per_s, aht_s, target_s)
    if not 0 < target_share < 1:
        raise StaffingError(f"the target share must be a fraction between 0 and 1 (e.g. 0.8), got {target_share}")
    load = arrivals_per_s * aht_s
    max_counters = int(2 * load + 10 * math.sqrt(load) + 100)
    if patience_s is None:
        start = max(1, math.floor(load) + 1)
        for n in range(start, max_counters + 1):
            figures = erlang_c(arrivals_per_s, aht_s, n, target_s)
            if figures.service_level >= target_share:
                return StaffingAnswer("erlang_c", load, figures)
    else:
        # the service level grows with the counters, so the fewest is found by bisection; abandonment only helps,
        # so Erlang C's answer bounds it from above
        low, high = 1, max(1, math.floor(load) + 1)
        while erlang_a(arrivals_per_s, aht_s, high, target_s, patience_s).service_level < target_share:
            low, high = high + 1, high * 2
            if high > max_counters:
                raise StaffingError(f"more than {max_counters} counters would be needed for a load of {load:.1f} "
                                    "Erlangs")
        while low < high:
            mid = (low + high) // 2
            if erlang_a(arrivals_per_s, aht_s, mid, target_s, patience_s).service_level >= target_share:
                high = mid
            else:
                low = mid + 1
        return StaffingAnswer("erlang_a", load, erlang_a(arrivals_per_s, aht_s, low, target_s, patience_s))
    raise StaffingError(f"more than {max_counters} counters would be needed for a load of {load:.1f} Erlangs")
