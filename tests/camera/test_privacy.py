"""Head blurring on real footage with the real detector: heads unrecognisable, the rest untouched, and only the
blurred copy ever reaches the disk."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from camera.detections import Detections
from camera.detectors.onnx import OnnxDetector
from camera.privacy import blur_heads, head_regions, write_blurred_jpeg


def sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image: high for edges and texture (a face), near 0 when smooth."""
    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


@pytest.fixture(scope="module")
def frame_and_people(shared: Path) -> tuple[np.ndarray, Detections]:
    cap = cv2.VideoCapture(str(shared / "datasets" / "pets09-s2l1" / "video.avi"))
    for _ in range(100):
        ok, image = cap.read()
        assert ok
    cap.release()
    detector = OnnxDetector(shared / "models" / "yolox-nano" / "yolox_nano.onnx")
    found = detector.detect(image)
    people = found.filter(found.confidence >= detector.track_threshold)
    assert len(people) >= 4  # pets09-s2l1 frame 99 has 5-6 people
    return image, people


def test_every_head_is_blurred_and_the_rest_is_untouched(frame_and_people) -> None:
    image, people = frame_and_people
    original = image.copy()
    blurred = blur_heads(image, people)
    assert np.array_equal(image, original)  # the input frame is never changed
    h, w = image.shape[:2]
    heads = head_regions(people.xyxy, (w, h))
    mask = np.zeros((h, w), bool)
    for x1, y1, x2, y2 in heads:
        assert x2 > x1 and y2 > y1
        before, after = sharpness(image[y1:y2, x1:x2]), sharpness(blurred[y1:y2, x1:x2])
        assert after < 0.05 * before, (before, after)  # the detail a face is recognised by is gone
        assert np.abs(blurred[y1:y2, x1:x2].astype(int) - image[y1:y2, x1:x2].astype(int)).mean() > 5
        mask[y1:y2, x1:x2] = True
    # each region covers the head: the top fifth of the person box at least, and a bit wider than the box
    for (bx1, by1, bx2, by2), (x1, y1, x2, y2) in zip(people.xyxy, heads):
        assert x1 <= max(bx1, 0) and x2 >= min(bx2, w) and y1 <= max(by1, 0)
        assert y2 >= min(by1 + 0.2 * (by2 - by1), h)
    # pixels far from any person box (30 px margin) are exactly as they were
    near = np.zeros((h, w), bool)
    for x1, y1, x2, y2 in people.xyxy.astype(int):
        near[max(0, y1 - 30):y2 + 30, max(0, x1 - 30):x2 + 30] = True
    assert near.mean() < 0.5
    assert np.array_equal(blurred[~near], image[~near])
    assert not np.array_equal(blurred[mask], image[mask])


def test_only_the_blurred_copy_is_written(frame_and_people, tmp_path: Path) -> None:
    image, people = frame_and_people
    path = write_blurred_jpeg(tmp_path / "snaps" / "alert-7-CAM1.jpg", image, people)
    assert path.exists() and [p.name for p in path.parent.iterdir()] == ["alert-7-CAM1.jpg"]  # no temporary left
    written = path.read_bytes()
    ok, expected = cv2.imencode(".jpg", blur_heads(image, people), [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok and written == expected.tobytes()  # byte for byte the encoded blurred image
    ok, raw = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert written != raw.tobytes()
    decoded = cv2.imdecode(np.frombuffer(written, np.uint8), cv2.IMREAD_COLOR)
    h, w = image.shape[:2]
    for x1, y1, x2, y2 in head_regions(people.xyxy, (w, h)):
        assert sharpness(decoded[y1:y2, x1:x2]) < 0.1 * sharpness(image[y1:y2, x1:x2])


def test_boxes_at_the_edge_and_outside_are_clipped() -> None:
    image = np.random.default_rng(1).integers(0, 255, (100, 200, 3), dtype=np.uint8)
    boxes = np.array([[-20, -10, 30, 90], [180, 40, 260, 120], [300, 300, 320, 340]], np.float32)
    heads = head_regions(boxes, (200, 100))
    assert (heads[:, [0, 2]] >= 0).all() and (heads[:, [0, 2]] <= 200).all()
    assert (heads[:, [1, 3]] >= 0).all() and (heads[:, [1, 3]] <= 100).all()
    out = blur_heads(image, boxes)  # the box outside the frame changes nothing and raises nothing
    assert out.shape == image.shape
    x1, y1, x2, y2 = heads[0]
    assert sharpness(out[y1:y2, x1:x2]) < 0.1 * sharpness(image[y1:y2, x1:x2])
    assert np.array_equal(blur_heads(image, Detections.empty()), image)


def test_an_unwritable_folder_raises_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    image = np.zeros((20, 20, 3), np.uint8)
    with pytest.raises(OSError):
        write_blurred_jpeg(blocker / "alert-1.jpg", image, np.zeros((0, 4)))
    assert [p.name for p in tmp_path.iterdir()] == ["file"]
