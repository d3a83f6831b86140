"""The MJPEG-over-HTTP reader: ``multipart/x-mixed-replace`` JPEG streams as sent by most NVRs and IP cameras.

A small reader of our own (urllib, boundary parsing, ``cv2.imdecode``) rather than OpenCV's FFMPEG backend: it honours
socket timeouts, authenticates with Basic or Digest credentials from the URL, skips a part that does not decode, and
can be closed from another thread to end a blocked read at once. Every message names the URL with its credentials
masked.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, BinaryIO

import cv2
import numpy as np

from camera.credentials import mask_credentials
from camera.frames import Frame
from camera.stream_limits import (
    MAX_CORRUPT_IN_A_ROW,
    MAX_PART_BYTES,
    OPEN_TIMEOUT_S,
    READ_TIMEOUT_S,
    SourceError,
    size_of,
)


class _SocketRecorder:
    """Builds urllib's HTTP(S) connections and remembers the last socket, so close() can shut it down from another
    thread (waking a blocked recv) without reaching into http.client's private attributes."""

    def __init__(self) -> None:
        self.sock: socket.socket | None = None

    def connection_class(self, base: type[http.client.HTTPConnection]) -> Any:
        recorder = self

        class Recording(base):  # type: ignore[valid-type, misc]
            def connect(self) -> None:
                super().connect()
                recorder.sock = self.sock

        return Recording


class _RecordingHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, recorder: _SocketRecorder) -> None:
        super().__init__()
        self._class = recorder.connection_class(http.client.HTTPConnection)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._class, req)


class _RecordingHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, recorder: _SocketRecorder) -> None:
        super().__init__()
        self._class = recorder.connection_class(http.client.HTTPSConnection)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._class, req, context=self._context)


class _ClosingAuth:
    """urllib leaves the first 401 answer's socket open after retrying with credentials (a ResourceWarning at
    best, a socket per reconnection at worst); this closes it whether the retry succeeds or fails."""

    def http_error_401(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any) -> Any:
        retried = False
        try:
            answer = super().http_error_401(req, fp, code, msg, headers)  # type: ignore[misc]
            retried = answer is not None
            return answer
        except urllib.error.HTTPError:
            retried = True
            raise
        finally:
            if retried:
                fp.close()


class _BasicAuth(_ClosingAuth, urllib.request.HTTPBasicAuthHandler):
    pass


class _DigestAuth(_ClosingAuth, urllib.request.HTTPDigestAuthHandler):
    pass


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """The URL without ``user:password@`` (urllib would take it for part of the host) and the decoded pair."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    bare = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return bare, urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or "")


def _describe_network_error(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "no answer (timed out)"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, ConnectionResetError):
        return "connection reset"
    return getattr(reason, "strerror", None) or str(reason) or type(reason).__name__


_BOUNDARY_RE = re.compile(r'boundary\s*=\s*"?([^";]+)"?', re.IGNORECASE)


class MjpegHttpSource:
    """An HTTP ``multipart/x-mixed-replace`` JPEG stream, read part by part.

    Parts are found by their boundary; a part's ``Content-Length`` is used when present (else the data runs to the
    next boundary). A part that does not decode as an image is skipped and counted in ``corrupt_frames``.
    ``stream`` is anything with ``read1(n)`` or ``read(n)`` (an HTTP response, or BytesIO in tests).
    """

    is_live = True

    def __init__(self, url: str, stream: BinaryIO, content_type: str, *, sock: socket.socket | None = None,
                 read_timeout_s: float = READ_TIMEOUT_S) -> None:
        self.name = mask_credentials(url)
        self.read_timeout_s = read_timeout_s
        self.stream = stream
        self.sock = sock
        match = _BOUNDARY_RE.search(content_type)
        token = match.group(1).strip().lstrip("-") if match else ""
        # Delimiters are "--" + boundary. Some cameras declare "--x" and still write "--x" lines: searching for
        # "--" + the boundary without its leading dashes finds both.
        self.delimiter = b"--" + token.encode("latin-1")
        self.fps: float | None = None
        self.size_wh: tuple[int, int] | None = None
        self.corrupt_frames = 0
        self._buffer = bytearray()
        self._eof = False
        self._index = 0
        self._closed = False
        self._reading = threading.Lock()
        self._read1 = getattr(stream, "read1", None) or stream.read

    @classmethod
    def open(cls, url: str, *, open_timeout_s: float = OPEN_TIMEOUT_S,
             read_timeout_s: float = READ_TIMEOUT_S) -> MjpegHttpSource | None:
        """Connect; the source when the answer is MJPEG, None for any other content (for OpenCV to try)."""
        name = mask_credentials(url)
        bare, user, password = _split_credentials(url)
        recorder = _SocketRecorder()
        # no ProxyHandler from the environment: cameras sit on the local network, never behind a web proxy
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({}), _RecordingHTTPHandler(recorder),
                                                      _RecordingHTTPSHandler(recorder)]
        if user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, bare, user, password or "")
            handlers += [_BasicAuth(passwords), _DigestAuth(passwords)]
        opener = urllib.request.build_opener(*handlers)
        request = urllib.request.Request(bare, headers={"User-Agent": "branch-lobby-console", "Accept": "*/*"})
        try:
            response = opener.open(request, timeout=open_timeout_s)
        except urllib.error.HTTPError as exc:
            exc.close()
            hint = " (check the user name and password)" if exc.code in (401, 403) else ""
            raise SourceError(f"{name}: the server answered {exc.code} {exc.reason}{hint}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            raise SourceError(f"{name}: {_describe_network_error(exc)}") from None
        content_type = response.headers.get("Content-Type", "")
        if "multipart/x-mixed-replace" not in content_type.lower():
            response.close()
            return None
        if recorder.sock is not None:
            recorder.sock.settimeout(read_timeout_s)
        return cls(url, response, content_type, sock=recorder.sock, read_timeout_s=read_timeout_s)

    # --- parsing ---------------------------------------------------------------------------------------------

    def _fill(self) -> bool:
        """Read more bytes into the buffer; False at the end of the stream."""
        if self._eof:
            return False
        try:
            chunk = self._read1(65536)
        except TimeoutError:
            raise SourceError(f"{self.name}: no data for {self.read_timeout_s:g} s") from None
        except (OSError, ValueError, http.client.HTTPException) as exc:
            if self._closed:
                return False
            raise SourceError(f"{self.name}: {_describe_network_error(exc)}") from None
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        if len(self._buffer) > MAX_PART_BYTES:
            raise SourceError(f"{self.name}: no part boundary in {MAX_PART_BYTES // 2**20} MB of data (not MJPEG?)")
        return True

    def _find(self, needle: bytes, start: int = 0) -> int:
        while True:
            at = self._buffer.find(needle, start)
            if at >= 0:
                return at
            start = max(start, len(self._buffer) - len(needle))
            if not self._fill():
                return -1

    def _line(self) -> bytes | None:
        """The next line without its line break; None at the end of the stream."""
        nl = self._find(b"\n")
        if nl < 0:
            return None
        line = bytes(self._buffer[:nl]).rstrip(b"\r")
        del self._buffer[:nl + 1]
        return line

    def _next_part(self) -> bytes | None:
        """The body of the next part; None when the stream ended."""
        at = self._find(self.delimiter)
        if at < 0:
            return None
        del self._buffer[:at + len(self.delimiter)]
        rest = self._line()  # the rest of the delimiter line: "" or "--" for the closing delimiter
        if rest is None or rest.strip().startswith(b"--"):
            return None
        length = None
        while True:
            line = self._line()
            if line is None:
                return None
            if not line.strip():
                break
            key, _, value = line.decode("latin-1").partition(":")
            if key.strip().lower() == "content-length" and value.strip().isdigit():
                length = int(value.strip())
        if length is not None and length <= MAX_PART_BYTES:
            while len(self._buffer) < length:
                if not self._fill():
                    raise SourceError(f"{self.name}: the stream ended in the middle of a frame")
            data = bytes(self._buffer[:length])
            del self._buffer[:length]
            return data
        end = self._find(b"\n" + self.delimiter)
        if end < 0:
            raise SourceError(f"{self.name}: the stream ended in the middle of a frame")
        data = bytes(self._buffer[:end - 1] if end and self._buffer[end - 1] == 13 else self._buffer[:end])
        del self._buffer[:end + 1]
        return data

    def read(self) -> Frame | None:
        """The next decodable frame. SourceError when the stream fails, stalls for the read timeout or ends (a live
        camera should not end); None only after close()."""
        with self._reading:
            try:
                return self._read_frame()
            finally:
                if self._closed:  # closed from another thread during the read: finish the job here
                    self._close_stream()

    def _read_frame(self) -> Frame | None:
        in_a_row = 0
        while True:
            if self._closed:
                return None
            data = self._next_part()
            if data is None:
                if self._closed:
                    return None
                raise SourceError(f"{self.name}: the server closed the stream")
            image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR) if data else None
            if image is None:
                self.corrupt_frames += 1
                in_a_row += 1
                if in_a_row >= MAX_CORRUPT_IN_A_ROW:
                    raise SourceError(f"{self.name}: {in_a_row} parts in a row are not images")
                continue
            self.size_wh = size_of(image)
            frame = Frame(index=self._index, t_s=time.monotonic(), image=image)
            self._index += 1
            return frame

    def _close_stream(self) -> None:
        try:
            self.stream.close()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        """Safe from another thread: shutting the socket down wakes a read blocked on it, and the response itself is
        closed by whichever thread is not inside it (http.client is not thread-safe)."""
        self._closed = True
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._reading.acquire(blocking=False):
            try:
                self._close_stream()
            finally:
                self._reading.release()
