"""Constant-velocity Kalman filter of one person's box, for the tracker (camera/tracker.py).

State (8,): centre x, centre y, width, height (pixels) and their rates (pixels per second). Time is continuous:
``predict(t_s)`` moves the state to any later frame time, so the detector may run on fewer frames than are shown
and frames may arrive at an uneven rate.

Noise choices. Every standard deviation is proportional to the box height h, as in ByteTrack/DeepSORT: a person
far from the camera is small and moves and jitters by fewer pixels, so one set of numbers serves the whole image.
- Measurement (a detector box): centre ±5 % of h, height ±5 % of h, width ±10 % of h (arms and legs swing, so the
  width of a walking person's box varies more than its height).
- Process: white-noise acceleration (the continuous-time model, so predicting t0→t1→t2 equals t0→t2) with
  1 h/s² on the centre — people start, stop and turn — and 0.25 h/s² on the size, which changes slowly as a
  person walks towards or away from the camera.
- A new track starts at its first box with unknown velocity: ±1 h/s on the centre (walking pace is about
  0.8 h/s) and ±0.1 h/s on the size.
"""

from __future__ import annotations

import numpy as np

MEAS_STD_CENTRE_PER_H = 0.05
MEAS_STD_WIDTH_PER_H = 0.10
MEAS_STD_HEIGHT_PER_H = 0.05
ACC_STD_CENTRE_H_PER_S2 = 1.0
ACC_STD_SIZE_H_PER_S2 = 0.25
INIT_VEL_STD_CENTRE_H_PER_S = 1.0
INIT_VEL_STD_SIZE_H_PER_S = 0.1
MIN_SIZE_PX = 1.0

_H = np.hstack([np.eye(4), np.zeros((4, 4))])  # measurement picks (cx, cy, w, h) from the state


def xyxy_to_cxcywh(box_xyxy: np.ndarray) -> np.ndarray:
    x1, y1, x2, y2 = (float(v) for v in box_xyxy)
    return np.array([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dtype=np.float64)


def _measurement_cov(height_px: float) -> np.ndarray:
    h = max(height_px, MIN_SIZE_PX)
    std = np.array([MEAS_STD_CENTRE_PER_H, MEAS_STD_CENTRE_PER_H, MEAS_STD_WIDTH_PER_H, MEAS_STD_HEIGHT_PER_H]) * h
    return np.diag(std**2)


class BoxKalman:
    """One track's filter. ``mean``/``covariance`` are at time ``t_s`` (seconds)."""

    __slots__ = ("mean", "covariance", "t_s")

    def __init__(self, box_xyxy: np.ndarray, t_s: float) -> None:
        z = xyxy_to_cxcywh(box_xyxy)
        h = max(z[3], MIN_SIZE_PX)
        self.mean = np.concatenate([z, np.zeros(4)])
        vel_std = np.array([INIT_VEL_STD_CENTRE_H_PER_S] * 2 + [INIT_VEL_STD_SIZE_H_PER_S] * 2) * h
        cov = np.zeros((8, 8))
        cov[:4, :4] = _measurement_cov(h)
        cov[4:, 4:] = np.diag(vel_std**2)
        self.covariance = cov
        self.t_s = float(t_s)

    def predict(self, t_s: float) -> None:
        """Move the state to ``t_s``; a time not after the current one leaves it unchanged."""
        dt = float(t_s) - self.t_s
        if not dt > 0:
            return
        f = np.eye(8)
        f[:4, 4:] = np.eye(4) * dt
        h = max(self.mean[3], MIN_SIZE_PX)
        q_density = np.array([ACC_STD_CENTRE_H_PER_S2] * 2 + [ACC_STD_SIZE_H_PER_S2] * 2) ** 2 * h**2
        q = np.zeros((8, 8))
        q[:4, :4] = np.diag(q_density * dt**3 / 3)
        q[:4, 4:] = q[4:, :4] = np.diag(q_density * dt**2 / 2)
        q[4:, 4:] = np.diag(q_density * dt)
        self.mean = f @ self.mean
        self.covariance = f @ self.covariance @ f.T + q
        self.t_s = float(t_s)

    def correct(self, box_xyxy: np.ndarray) -> None:
        """Fuse a detector box observed at the current ``t_s`` (call ``predict`` first)."""
        z = xyxy_to_cxcywh(box_xyxy)
        p = self.covariance
        s = _H @ p @ _H.T + _measurement_cov(z[3])
        gain = np.linalg.solve(s, _H @ p).T  # P Hᵀ S⁻¹ (S and P symmetric)
        self.mean = self.mean + gain @ (z - _H @ self.mean)
        p = p - gain @ _H @ p
        self.covariance = (p + p.T) / 2

    def hold_size(self) -> None:
        """Stop the size changing while the person is not seen (a coasting box must not shrink away)."""
        self.mean[6:] = 0.0

    def box_xyxy(self) -> np.ndarray:
        cx, cy = self.mean[0], self.mean[1]
        w, h = max(self.mean[2], MIN_SIZE_PX), max(self.mean[3], MIN_SIZE_PX)
        return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dtype=np.float64)
