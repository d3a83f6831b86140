"""Which camera zone each detected person stands in, and how many people the lobby holds.

Pure numpy, no state: the tracker hands in each person's floor point (bottom-centre of the box, pixels) and gets
counts back. Zones are ``ZoneSpec`` polygons in the same image coordinates.

Boundary rule: a point exactly on an edge follows the classic even-odd (crossing-number) test with half-open
comparisons, the same convention as pixel rasterisation. For an axis-aligned rectangle the left and top edges
(smaller x, smaller y) are inside and the right and bottom edges outside; in general, a point on an edge shared by
two zones that tile an area is counted in exactly one of them (up to floating-point rounding on slanted edges), so
per-zone counts of a tiled floor add up to the lobby count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from console.domain.records import ZoneSpec


def _as_points(points_xy: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    pts = np.asarray(points_xy, dtype=np.float64)
    if pts.size == 0:
        return pts.reshape(0, 2)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"points must be an (N, 2) array of x, y; got shape {pts.shape}")
    return pts


def validated_polygon(polygon: Sequence[Sequence[float]], name: str = "polygon") -> np.ndarray:
    """The polygon as an (M, 2) float array; ValueError naming ``name`` when it has fewer than 3 points or
    coordinates that are not finite numbers."""
    try:
        poly = np.asarray(polygon, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"zone {name!r}: polygon is not a list of (x, y) points: {exc}") from None
    if poly.ndim != 2 or poly.shape[1] != 2:
        raise ValueError(f"zone {name!r}: polygon must be a list of (x, y) points, got shape {poly.shape}")
    if len(poly) < 3:
        raise ValueError(f"zone {name!r}: a polygon needs at least 3 points, got {len(poly)}")
    if not np.all(np.isfinite(poly)):
        raise ValueError(f"zone {name!r}: polygon has a coordinate that is not a finite number")
    return poly


def points_in_polygon(
    points_xy: np.ndarray | Sequence[Sequence[float]], polygon: Sequence[Sequence[float]], *, name: str = "polygon"
) -> np.ndarray:
    """Boolean mask (N,) of the points inside ``polygon`` (even-odd rule; see the module docstring for edges).

    Works for concave and self-intersecting polygons (self-intersections follow the even-odd rule). Vectorised over
    the points; one pass per polygon edge.
    """
    pts = _as_points(points_xy)
    poly = validated_polygon(polygon, name)
    x, y = pts[:, 0], pts[:, 1]
    inside = np.zeros(len(pts), dtype=bool)
    xj, yj = poly[-1]
    with np.errstate(invalid="ignore"):  # infinite points give NaN crossings, which compare False: outside
        for xi, yi in poly:
            if yi != yj:  # horizontal edges never cross a horizontal ray
                crosses = (yi > y) != (yj > y)
                x_cross = (xj - xi) * (y - yi) / (yj - yi) + xi
                inside ^= crosses & (x < x_cross)
            xj, yj = xi, yi
    return inside


def zone_masks(points_xy: np.ndarray | Sequence[Sequence[float]], zones: Sequence[ZoneSpec]) -> dict[str, np.ndarray]:
    """Zone name → boolean mask of the points inside it. ValueError on duplicate zone names."""
    pts = _as_points(points_xy)
    masks: dict[str, np.ndarray] = {}
    for zone in zones:
        if zone.name in masks:
            raise ValueError(f"zone {zone.name!r} is defined twice")
        masks[zone.name] = points_in_polygon(pts, zone.polygon, name=zone.name)
    return masks


def count_in_zones(points_xy: np.ndarray | Sequence[Sequence[float]], zones: Sequence[ZoneSpec]) -> dict[str, int]:
    """People per zone, in the order of ``zones``. Overlapping zones each count a person standing in both."""
    return {name: int(mask.sum()) for name, mask in zone_masks(points_xy, zones).items()}


def lobby_count(points_xy: np.ndarray | Sequence[Sequence[float]], zones: Sequence[ZoneSpec]) -> int:
    """People inside at least one zone with ``in_lobby=True``: a union, so overlapping zones never count anyone
    twice and people outside every lobby zone (the street seen through the door) are not counted."""
    pts = _as_points(points_xy)
    union = np.zeros(len(pts), dtype=bool)
    for zone in zones:
        if zone.in_lobby:
            union |= points_in_polygon(pts, zone.polygon, name=zone.name)
        else:
            validated_polygon(zone.polygon, zone.name)
    return int(union.sum())
