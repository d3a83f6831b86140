"""A small MJPEG (multipart/x-mixed-replace) HTTP server on 127.0.0.1 for capture tests.

Each frame is a JPEG with its number drawn on it (a global counter across connections). The server can be paused
(connections stay open, nothing is sent: a stalled camera), told to send one part that is not a JPEG, made to drop
every open connection, stopped and started again on the same port. ``stop()`` joins every thread it started.
``/still.jpg`` answers one plain JPEG (not a stream).
"""

from __future__ import annotations

import base64
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

import cv2
import numpy as np

BOUNDARY = "frame"


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = False  # handler threads are joined by server_close()
    block_on_close = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client dropping the connection is expected here, not worth a traceback


class MjpegServer:
    """``MjpegServer(port=0)`` picks a free port on start; ``url`` is the stream's address.

    ``auth=(user, password)`` requires HTTP Basic authentication (401 otherwise); ``boundary_in_header`` is what the
    Content-Type declares (some cameras declare ``--frame`` and still write ``--frame`` lines); ``content_length``
    False leaves the Content-Length header out of the parts, as some cameras do.
    """

    def __init__(self, port: int = 0, *, fps: float = 20.0, size_wh: tuple[int, int] = (160, 120),
                 auth: tuple[str, str] | None = None, boundary_in_header: str = BOUNDARY,
                 content_length: bool = True) -> None:
        self.port = port
        self.fps = fps
        self.size_wh = size_wh
        self.auth = auth
        self.boundary_in_header = boundary_in_header
        self.content_length = content_length
        self.frames_sent = 0
        self.requests = 0
        self.unauthorized = 0
        self._paused = threading.Event()
        self._garbage = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream"

    # --- control ---------------------------------------------------------------------------------------------

    def start(self) -> MjpegServer:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._paused.clear()
        self._server = _Server(("127.0.0.1", self.port), self._handler())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"mjpeg-server-{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket and every connection; return once all server threads have ended."""
        if self._server is None:
            return
        self._stopping.set()
        self.kill_connections()
        self._server.shutdown()
        self._server.server_close()  # joins the handler threads
        self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def pause(self) -> None:
        """Keep the connections open but send nothing (a stalled camera)."""
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    def inject_garbage(self) -> None:
        """The next part sent (on one connection) is not a JPEG."""
        self._garbage.set()

    def kill_connections(self) -> None:
        """Drop every open connection abruptly; the server keeps accepting new ones."""
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> MjpegServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- serving ---------------------------------------------------------------------------------------------

    def _frame_jpeg(self, n: int) -> bytes:
        w, h = self.size_wh
        image = np.full((h, w, 3), (n * 7) % 200, np.uint8)
        cv2.putText(image, str(n), (8, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
        return cv2.imencode(".jpg", image)[1].tobytes()

    def _authorized(self, header: str | None) -> bool:
        if self.auth is None:
            return True
        expected = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        return header == f"Basic {expected}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests += 1
                if not server._authorized(self.headers.get("Authorization")):
                    server.unauthorized += 1
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="camera"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path.startswith("/still.jpg"):  # one JPEG, not a stream
                    data = server._frame_jpeg(0)
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                with server._lock:
                    server._connections.add(self.connection)
                try:
                    self._stream()
                except OSError:  # the client went away or kill_connections()
                    pass
                finally:
                    with server._lock:
                        server._connections.discard(self.connection)

            def _stream(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type",
                                 f"multipart/x-mixed-replace; boundary={server.boundary_in_header}")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                period = 1.0 / server.fps
                while not server._stopping.is_set():
                    if server._paused.is_set():
                        server._stopping.wait(0.02)
                        continue
                    if server._garbage.is_set():
                        server._garbage.clear()
                        data = b"this part is not a JPEG image" * 10
                    else:
                        with server._lock:
                            n = server.frames_sent
                            server.frames_sent += 1
                        data = server._frame_jpeg(n)
                    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                    if server.content_length:
                        head += f"Content-Length: {len(data)}\r\n"
                    self.wfile.write(head.encode() + b"\r\n" + data + b"\r\n")
                    self.wfile.flush()
                    server._stopping.wait(period)

        return Handler


def free_port() -> int:
    """A port that was free a moment ago (for a server that must come back on the same port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
