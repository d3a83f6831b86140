"""A small MJPEG (multipart/x-mixed-replace) HTTP server on 127.0.0.1 for capture tests."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BOUNDARY = "frame"


class MjpegServer:
    def __init__(self, port: int = 0, fps: float = 20.0) -> None:
        self.port = port
        self.fps = fps
        self.paused = threading.Event()
        self.garbage = threading.Event()
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.end_headers()
                n = 0
                try:
                    while not server._stop.is_set():
                        if server.paused.is_set():
                            time.sleep(0.02)
                            continue
                        if server.garbage.is_set():
                            server.garbage.clear()
                            data = b"this is not a jpeg"
                        else:
                            image = np.full((120, 160, 3), n % 255, np.uint8)
                            cv2.putText(image, str(n), (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1, (255, 255, 255), 2)
                            data = cv2.imencode(".jpg", image)[1].tobytes()
                        self.wfile.write(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                                         f"Content-Length: {len(data)}\r\n\r\n".encode() + data + b"\r\n")
                        self.wfile.flush()
                        n += 1
                        time.sleep(1 / server.fps)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass

        return Handler

    def start(self) -> MjpegServer:
        self._stop.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._server.allow_reuse_address = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="mjpeg-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        time.sleep(0.1)  # handler threads notice the stop flag

    def __enter__(self) -> MjpegServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
