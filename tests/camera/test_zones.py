"""Point-in-polygon and zone counting, against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camera.zones import count_in_zones, lobby_count, points_in_polygon
from console.domain.records import ZoneSpec
from console.domain.vocabulary import ZoneKind

SQUARE = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
# An L: the 10 × 10 square without its top-right 5 × 5 quarter (y down, like an image).
L_SHAPE = ((0.0, 0.0), (5.0, 0.0), (5.0, 5.0), (10.0, 5.0), (10.0, 10.0), (0.0, 10.0))


def test_square_inside_outside_and_edges() -> None:
    pts = [(5, 5), (0.001, 9.999), (-0.001, 5), (10.001, 5), (5, -1), (5, 11),
           (0, 5), (5, 0), (0, 0),  # left and top edges and their corner: inside
           (10, 5), (5, 10), (10, 10), (10, 0), (0, 10)]  # right and bottom edges: outside
    expected = [True, True, False, False, False, False, True, True, True, False, False, False, False, False]
    assert points_in_polygon(np.asarray(pts, dtype=float), SQUARE).tolist() == expected


def test_concave_l_shape() -> None:
    pts = [(2, 2), (7, 2), (7, 7), (2, 7), (5, 2), (4.99, 4.99), (5, 5), (9.9, 5.1)]
    expected = [True, False, True, True, False, True, True, True]
    assert points_in_polygon(pts, L_SHAPE).tolist() == expected
    # the vertex order does not matter
    assert points_in_polygon(pts, L_SHAPE[::-1]).tolist() == expected


def test_empty_and_malformed_input() -> None:
    assert points_in_polygon(np.zeros((0, 2)), SQUARE).shape == (0,)
    assert points_in_polygon([], SQUARE).shape == (0,)
    with pytest.raises(ValueError, match="shape"):
        points_in_polygon(np.zeros((3, 3)), SQUARE)
    assert points_in_polygon([(np.nan, 5.0), (np.inf, 5.0)], SQUARE).tolist() == [False, False]


def test_too_few_points_names_the_zone() -> None:
    bad = ZoneSpec("queue line", ZoneKind.WAITING, ((0.0, 0.0), (1.0, 1.0)))
    with pytest.raises(ValueError, match="'queue line'.*at least 3 points"):
        count_in_zones([(0.5, 0.5)], [bad])
    with pytest.raises(ValueError, match="'queue line'"):
        lobby_count([(0.5, 0.5)], [bad])
    with pytest.raises(ValueError, match="not a finite"):
        points_in_polygon([(0, 0)], ((0, 0), (1, float("nan")), (1, 1)))


def test_counts_per_zone_and_lobby_union() -> None:
    left = ZoneSpec("left", ZoneKind.WAITING, ((0, 0), (6, 0), (6, 10), (0, 10)))
    right = ZoneSpec("right", ZoneKind.COUNTER, ((4, 0), (10, 0), (10, 10), (4, 10)))  # overlaps left on 4 ≤ x < 6
    street = ZoneSpec("street", ZoneKind.ENTRANCE, ((0, 10), (10, 10), (10, 14), (0, 14)), in_lobby=False)
    pts = np.asarray([(1, 1), (5, 5), (5, 6), (8, 8), (5, 12), (20, 20)], dtype=float)
    assert count_in_zones(pts, [left, right, street]) == {"left": 3, "right": 3, "street": 1}
    assert lobby_count(pts, [left, right, street]) == 4  # the two in the overlap count once; the street not at all
    assert lobby_count(np.zeros((0, 2)), [left]) == 0
    with pytest.raises(ValueError, match="twice"):
        count_in_zones(pts, [left, left])


@settings(max_examples=60, deadline=None)
@given(
    split_x=st.integers(1, 9),
    split_y=st.integers(1, 9),
    points=st.lists(st.tuples(st.integers(0, 19), st.integers(0, 19)), min_size=1, max_size=50),
)
def test_tiling_zones_count_every_point_once_even_on_shared_edges(split_x, split_y, points) -> None:
    """Four rectangles tiling [0, 10)²: points on the half-metre grid (many on shared edges) are counted once."""
    sx, sy = float(split_x), float(split_y)
    rects = [((0, 0), (sx, sy)), ((sx, 0), (10, sy)), ((0, sy), (sx, 10)), ((sx, sy), (10, 10))]
    zones = [
        ZoneSpec(f"z{i}", ZoneKind.WAITING, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
        for i, ((x0, y0), (x1, y1)) in enumerate(rects)
    ]
    pts = np.asarray(points, dtype=float) / 2.0
    counts = count_in_zones(pts, zones)
    assert sum(counts.values()) == len(pts) == lobby_count(pts, zones)
