"""Person detection with ONNX models through onnxruntime: YOLOX-Nano, PP-PicoDet-S and FastestDet.

The format is recognised from the model's input and output shapes (not its file name); the pre- and
post-processing of each follows ../shared/models/README.md as measured on these files:
- YOLOX: BGR 0..255, letterbox at the top-left padded with 114; output (1, A, 85) with x, y offsets per grid cell
  of strides 8/16/32, log w/h, objectness and class scores already squashed; score = objectness × person score.
- PicoDet: RGB resized to the input, /255 then ImageNet mean/std; four score maps (1, N, 80) for strides
  8/16/32/64 and four box maps (1, N, 32): per side a distribution over 8 bins (softmax, expectation, × stride)
  around the cell centre ((col + 0.5) × stride).
- FastestDet: BGR resized, /255; output (1, 85, H, W): objectness, tanh x/y offsets within the cell, sigmoid
  w/h as image fractions, class scores; score = objectness^0.6 × person^0.4.
Only COCO class 0 (person) is kept, then non-maximum suppression.

Tiling (``tiles=(cols, rows)``) also runs the model on overlapping tiles of the frame, each resized to the model's
input, so small, distant people get more pixels; the boxes of all passes are merged by suppression.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from camera.detections import Detections
from camera.detectors.base import DetectorError, nms


class ModelFormat(StrEnum):
    YOLOX = "yolox"
    PICODET = "picodet"
    FASTESTDET = "fastestdet"


#: Lowest score a detection is kept with: low enough to feed the tracker's second association stage (partly
#: hidden people), which keeps only boxes near an existing track.
CANDIDATE_THRESHOLD = 0.1

#: Score from which a detection counts as a person on its own (the tracker's first stage and new tracks), per
#: format: the values with the lowest frame-count error over pets09-s2l1, tud-stadtmitte and tud-campus when
#: tracked with the pipeline's default settings (YOLOX-Nano: pets09 MAE 0.80/0.34/0.29/0.36 at 0.55/0.6/0.65/0.7,
#: a plateau around 0.65; PicoDet-S: 0.47/0.29/0.31/0.51 at 0.5/0.55/0.6/0.65). See benchmarks/counting_accuracy.py.
TRACK_THRESHOLDS = {ModelFormat.YOLOX: 0.65, ModelFormat.PICODET: 0.55, ModelFormat.FASTESTDET: 0.65}
DISPLAY_NAMES = {ModelFormat.YOLOX: "YOLOX-Nano", ModelFormat.PICODET: "PicoDet-S", ModelFormat.FASTESTDET: "FastestDet"}


@dataclass(frozen=True)
class ModelInfo:
    format: ModelFormat
    input_wh: tuple[int, int]
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_session(path: Path, threads: int = 2) -> ort.InferenceSession:
    if not path.is_file():
        raise DetectorError(f"model file {path} does not exist")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several exception types for unreadable files
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DetectorError(f"model file {path} is not an ONNX model onnxruntime can load ({reason[:200]})") from None


def recognise_format(session: ort.InferenceSession, path: Path | str = "model") -> ModelFormat:
    """The model's layout from its input/output shapes; DetectorError for anything else."""
    inputs = [(i.name, list(i.shape)) for i in session.get_inputs()]
    outputs = [(o.name, list(o.shape)) for o in session.get_outputs()]
    if len(inputs) == 1 and len(inputs[0][1]) == 4 and inputs[0][1][1] == 3:
        if len(outputs) == 1 and len(outputs[0][1]) == 3 and outputs[0][1][2] == 85:
            return ModelFormat.YOLOX
        if len(outputs) == 1 and len(outputs[0][1]) == 4 and outputs[0][1][1] == 85:
            return ModelFormat.FASTESTDET
        if len(outputs) == 8 and all(len(s) == 3 for _, s in outputs):
            last = sorted(s[2] for _, s in outputs)
            if last == [32] * 4 + [80] * 4:
                return ModelFormat.PICODET
    raise DetectorError(f"model file {path} has an unknown layout: inputs {inputs}, outputs {outputs} "
                        "(supported: YOLOX, PicoDet without NMS, FastestDet COCO detectors)")


def model_info(path: Path) -> ModelInfo:
    session = open_session(path, threads=1)
    fmt = recognise_format(session, path)
    shape = session.get_inputs()[0].shape
    return ModelInfo(format=fmt, input_wh=(int(shape[3]), int(shape[2])), sha256=sha256_of(path))


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


class OnnxDetector:
    low_accuracy = False

    def __init__(
        self,
        path: Path,
        *,
        score_threshold: float | None = None,
        nms_iou: float = 0.45,
        threads: int = 2,
        tiles: tuple[int, int] = (1, 1),
        tile_overlap: float = 0.2,
        include_full_frame: bool = True,
    ) -> None:
        self.path = Path(path)
        self.session = open_session(self.path, threads)
        self.format = recognise_format(self.session, self.path)
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        self.input_wh = (int(inp.shape[3]), int(inp.shape[2]))
        self.score_threshold = CANDIDATE_THRESHOLD if score_threshold is None else score_threshold
        self.track_threshold = TRACK_THRESHOLDS[self.format]
        self.nms_iou = nms_iou
        if not (1 <= tiles[0] <= 8 and 1 <= tiles[1] <= 8):
            raise ValueError(f"tiles must be between 1x1 and 8x8, got {tiles[0]}x{tiles[1]}")
        self.tiles = tiles
        self.tile_overlap = tile_overlap
        self.include_full_frame = include_full_frame
        self.name = DISPLAY_NAMES[self.format] + ("" if tiles == (1, 1) else f" {tiles[0]}x{tiles[1]}")
        if self.format is ModelFormat.YOLOX:
            self._grid, self._strides = self._yolox_grid()
        elif self.format is ModelFormat.PICODET:
            outputs = self.session.get_outputs()
            scores = sorted((o for o in outputs if o.shape[2] == 80), key=lambda o: -o.shape[1])
            boxes = sorted((o for o in outputs if o.shape[2] == 32), key=lambda o: -o.shape[1])
            self._pico_names = [o.name for o in scores] + [o.name for o in boxes]
            self._pico_levels = [(int(o.shape[1]), self.input_wh[0] // int(round(o.shape[1] ** 0.5))) for o in scores]

    # --- per format ----------------------------------------------------------------------------------------

    def _yolox_grid(self) -> tuple[np.ndarray, np.ndarray]:
        w, h = self.input_wh
        grids, strides = [], []
        for stride in (8, 16, 32):
            gh, gw = h // stride, w // stride
            ys, xs = np.meshgrid(np.arange(gh), np.arange(gw), indexing="ij")
            grids.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
            strides.append(np.full(gh * gw, stride))
        return np.concatenate(grids).astype(np.float32), np.concatenate(strides).astype(np.float32)[:, None]

    def _run_yolox(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w_in, h_in = self.input_wh
        h, w = image.shape[:2]
        r = min(w_in / w, h_in / h)
        resized = cv2.resize(image, (int(w * r), int(h * r)), interpolation=cv2.INTER_LINEAR)
        padded = np.full((h_in, w_in, 3), 114, dtype=np.uint8)
        padded[: resized.shape[0], : resized.shape[1]] = resized
        blob = padded.transpose(2, 0, 1)[None].astype(np.float32)
        out = self.session.run(None, {self.input_name: blob})[0][0]
        scores = out[:, 4] * out[:, 5]
        keep = scores >= self.score_threshold
        out, scores = out[keep], scores[keep]
        xy = (out[:, :2] + self._grid[keep]) * self._strides[keep]
        wh = np.exp(out[:, 2:4]) * self._strides[keep]
        xyxy = np.concatenate([xy - wh / 2, xy + wh / 2], axis=1) / r
        return xyxy, scores

    def _run_picodet(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w_in, h_in = self.input_wh
        h, w = image.shape[:2]
        rgb = cv2.cvtColor(cv2.resize(image, (w_in, h_in), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)
        x = (rgb.astype(np.float32) / 255.0 - np.array([0.485, 0.456, 0.406], np.float32)) / np.array(
            [0.229, 0.224, 0.225], np.float32)
        outs = self.session.run(self._pico_names, {self.input_name: x.transpose(2, 0, 1)[None]})
        all_boxes, all_scores = [], []
        bins = np.arange(8, dtype=np.float32)
        for level, (n, stride) in enumerate(self._pico_levels):
            scores = outs[level][0][:, 0]
            keep = np.nonzero(scores >= self.score_threshold)[0]
            if len(keep) == 0:
                continue
            dist = outs[4 + level][0][keep].reshape(-1, 4, 8)
            distances = (_softmax(dist, axis=2) * bins).sum(axis=2) * stride
            cols = w_in // stride
            cx = (keep % cols + 0.5) * stride
            cy = (keep // cols + 0.5) * stride
            boxes = np.stack([cx - distances[:, 0], cy - distances[:, 1], cx + distances[:, 2], cy + distances[:, 3]],
                             axis=1)
            all_boxes.append(boxes)
            all_scores.append(scores[keep])
        if not all_boxes:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        boxes = np.concatenate(all_boxes) * np.array([w / w_in, h / h_in, w / w_in, h / h_in], dtype=np.float32)
        return boxes, np.concatenate(all_scores)

    def _run_fastestdet(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w_in, h_in = self.input_wh
        h, w = image.shape[:2]
        x = cv2.resize(image, (w_in, h_in), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
        out = self.session.run(None, {self.input_name: x.transpose(2, 0, 1)[None]})[0][0]
        _, gh, gw = out.shape
        obj = np.clip(out[0], 0, 1)
        person = np.clip(out[5], 0, 1)
        scores = (obj ** 0.6) * (person ** 0.4)
        ys, xs = np.nonzero(scores >= self.score_threshold)
        if len(ys) == 0:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        cx = (xs + np.tanh(out[1, ys, xs])) / gw
        cy = (ys + np.tanh(out[2, ys, xs])) / gh
        bw = 1 / (1 + np.exp(-out[3, ys, xs]))
        bh = 1 / (1 + np.exp(-out[4, ys, xs]))
        boxes = np.stack([(cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h], axis=1)
        return boxes.astype(np.float32), scores[ys, xs].astype(np.float32)

    def _run(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.format is ModelFormat.YOLOX:
            return self._run_yolox(image)
        if self.format is ModelFormat.PICODET:
            return self._run_picodet(image)
        return self._run_fastestdet(image)

    # --- public --------------------------------------------------------------------------------------------

    def tile_rects(self, width: int, height: int) -> list[tuple[int, int, int, int]]:
        """(x0, y0, x1, y1) of each tile, overlapping by ``tile_overlap`` of a tile."""
        cols, rows = self.tiles
        rects = []
        tw = width / (cols - self.tile_overlap * (cols - 1))
        th = height / (rows - self.tile_overlap * (rows - 1))
        for r in range(rows):
            for c in range(cols):
                x0 = c * tw * (1 - self.tile_overlap)
                y0 = r * th * (1 - self.tile_overlap)
                rects.append((int(x0), int(y0), min(width, int(round(x0 + tw))), min(height, int(round(y0 + th)))))
        return rects

    def detect(self, image_bgr: np.ndarray) -> Detections:
        h, w = image_bgr.shape[:2]
        boxes_list, scores_list = [], []
        if self.tiles == (1, 1) or self.include_full_frame:
            b, s = self._run(image_bgr)
            boxes_list.append(b)
            scores_list.append(s)
        if self.tiles != (1, 1):
            for x0, y0, x1, y1 in self.tile_rects(w, h):
                b, s = self._run(image_bgr[y0:y1, x0:x1])
                boxes_list.append(b + np.array([x0, y0, x0, y0], dtype=np.float32))
                scores_list.append(s)
        boxes = np.concatenate(boxes_list).astype(np.float32) if boxes_list else np.zeros((0, 4), np.float32)
        scores = np.concatenate(scores_list).astype(np.float32) if scores_list else np.zeros(0, np.float32)
        if len(boxes) == 0:
            return Detections.empty()
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
        keep = nms(boxes, scores, self.nms_iou)
        return Detections(boxes[keep], scores[keep])
