"""A real RTSP server on 127.0.0.1 for the camera tests: H.264 made from a folder of JPEG frames, as an NVR serves it.

Run as a script with the system Python (``/usr/bin/python3``), which has Debian's GStreamer bindings (the project's
virtual environment cannot import ``gi``)::

    /usr/bin/python3 tests/camera/rtsp_server.py --port 8554 --mount /lobby --frames DIR [--fps 10] [--loop]
        [--stall-after N]

Each client session gets a pipeline of its own that starts at the first frame:
``multifilesrc DIR/%06d.jpg ! jpegdec ! identity sync=true ! videoconvert ! x264enc tune=zerolatency ! rtph264pay``,
paced at ``--fps`` by the ``identity`` (so a stalled session's frames are dropped in real time rather than racing
ahead; ``--loop`` starts again after the last frame, without it the session ends). ``--stall-after N`` sends the first
N frames of every session and then nothing, the RTSP session and its TCP connection staying open (a camera whose
picture froze). While running, the server reads commands on stdin, one per line: ``stall`` stops sending frames on
every session (connections stay open), ``resume`` sends them again (the decoder picks up at the next keyframe).
It prints ``READY rtsp://127.0.0.1:PORT/MOUNT`` once it listens, ``CLIENT <n> connected`` and ``CLIENT <n> closed``
as RTSP connections come and go, ``OK <command>`` after each command, and ends on SIGTERM, SIGINT or the end of
stdin.

Imported (by the tests, from any Python), the module gives :class:`RtspServer`, which starts and stops that script
as a child process, and :func:`missing`, which says what of the server's Debian packages is not installed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

#: The interpreter with Debian's GStreamer bindings (python3-gi).
SYSTEM_PYTHON = "/usr/bin/python3"
#: The Debian packages the server needs (installer/bootstrap.sh installs them for the tests).
PACKAGES = ("python3-gi", "gir1.2-gstreamer-1.0", "gir1.2-gst-rtsp-server-1.0", "gstreamer1.0-plugins-base",
            "gstreamer1.0-plugins-good", "gstreamer1.0-plugins-ugly")
#: GStreamer elements of the server's pipeline, with the Debian package that has each.
ELEMENTS = {"multifilesrc": "gstreamer1.0-plugins-good", "jpegdec": "gstreamer1.0-plugins-good",
            "identity": "libgstreamer1.0-0", "videoconvert": "gstreamer1.0-plugins-base",
            "x264enc": "gstreamer1.0-plugins-ugly", "rtph264pay": "gstreamer1.0-plugins-good"}
#: Seconds the server may take to listen after it was started.
START_TIMEOUT_S = 15.0


# --- the server (system Python with GStreamer) -----------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)
    pattern = str(Path(args.frames).resolve() / "%06d.jpg").replace('"', '\\"')
    launch = (f'( multifilesrc location="{pattern}" index=0 loop={"true" if args.loop else "false"} '
              f"caps=image/jpeg,framerate={args.fps}/1 ! jpegdec ! identity sync=true ! videoconvert ! "
              f"x264enc tune=zerolatency speed-preset=ultrafast bitrate={args.bitrate} key-int-max={args.keyframes} "
              "threads=1 ! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )")
    stalled = threading.Event()

    def on_media(_factory: object, media: GstRtspServer.RTSPMedia) -> None:
        sent = [0]

        def probe(_pad: Gst.Pad, _info: Gst.PadProbeInfo) -> Gst.PadProbeReturn:
            if stalled.is_set() or (args.stall_after is not None and sent[0] >= args.stall_after):
                return Gst.PadProbeReturn.DROP
            sent[0] += 1
            return Gst.PadProbeReturn.OK

        payloader = media.get_element().get_by_name("pay0")
        payloader.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, probe)

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(False)  # every session starts at the first frame
    factory.connect("media-configure", on_media)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    server.get_mount_points().add_factory(args.mount, factory)
    clients = [0]

    def on_client(_server: object, client: GstRtspServer.RTSPClient) -> None:
        clients[0] += 1
        number = clients[0]
        print(f"CLIENT {number} connected", flush=True)
        client.connect("closed", lambda _client: print(f"CLIENT {number} closed", flush=True))

    server.connect("client-connected", on_client)
    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        print(f"ERROR cannot listen on 127.0.0.1:{args.port}", flush=True)
        return 1

    def on_stdin(_fd: int, condition: GLib.IOCondition) -> bool:
        line = sys.stdin.readline() if condition & GLib.IOCondition.IN else ""
        if not line:  # stdin closed: the parent is gone
            loop.quit()
            return False
        command = line.strip()
        if command == "stall":
            stalled.set()
        elif command == "resume":
            stalled.clear()
        print(f"OK {command}", flush=True)
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP,
                      on_stdin)
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, lambda: (loop.quit(), False)[1])
    print(f"READY rtsp://127.0.0.1:{server.get_bound_port()}{args.mount}", flush=True)
    loop.run()
    return 0


def _check() -> str:
    """What of the server's GStreamer parts is missing in this Python, named with its Debian package ("" if none)."""
    try:
        import gi
    except ImportError:
        return "python3-gi"
    for name, package in (("Gst", "gir1.2-gstreamer-1.0"), ("GstRtspServer", "gir1.2-gst-rtsp-server-1.0")):
        try:
            gi.require_version(name, "1.0")
        except ValueError:
            return package
    from gi.repository import Gst, GstRtspServer  # noqa: F401  (the RTSP server library loads)

    Gst.init(None)
    absent = [f"{element} ({package})" for element, package in ELEMENTS.items()
              if Gst.ElementFactory.find(element) is None]
    return "GStreamer elements " + ", ".join(absent) if absent else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="An RTSP server on 127.0.0.1 streaming a folder of JPEG frames "
                                                 "(000000.jpg, 000001.jpg, ...) as H.264.")
    parser.add_argument("--check", action="store_true",
                        help="say what of the server's GStreamer parts is missing (exit code 1), then end")
    parser.add_argument("--port", type=int)
    parser.add_argument("--mount", default="/lobby", help="the stream's path (default /lobby)")
    parser.add_argument("--frames", help="folder of frames named 000000.jpg, 000001.jpg, ...")
    parser.add_argument("--fps", type=int, default=10, help="frames sent per second (default 10)")
    parser.add_argument("--loop", action="store_true", help="start again after the last frame")
    parser.add_argument("--stall-after", type=int, default=None, metavar="N",
                        help="send N frames per session, then nothing (the session stays open)")
    parser.add_argument("--bitrate", type=int, default=2048, help="H.264 bitrate in kbit/s (default 2048)")
    parser.add_argument("--keyframes", type=int, default=10, help="frames between keyframes (default 10)")
    args = parser.parse_args(argv)
    if args.check:
        absent = _check()
        print(absent or "everything the server needs is installed", file=sys.stderr if absent else sys.stdout)
        return 1 if absent else 0
    if args.port is None or args.frames is None:
        parser.error("--port and --frames are required")
    return _serve(args)


# --- the tests' side (any Python) ------------------------------------------------------------------------------


def _system_python_env() -> dict[str, str]:
    """This environment without what points a Python at the project's virtual environment."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}


def missing() -> str:
    """What is missing to run the server ("" when nothing): the system Python, its GStreamer bindings, the RTSP
    server library or a pipeline element, each named with its Debian package."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"{SYSTEM_PYTHON} (Debian's python3)"
    try:
        result = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).resolve()), "--check"], capture_output=True,
                                text=True, timeout=30, env=_system_python_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{SYSTEM_PYTHON}: {exc}"
    if result.returncode == 0:
        return ""
    return (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]


class RtspServer:
    """The server script as a child process. ``port`` must be given (a port picked free by the caller): it is
    kept across stop() and start(), as a camera that reboots keeps its address. The server's output (stdout and
    stderr) goes to a temporary file, so it can never block on a full pipe; ``output`` holds its lines."""

    def __init__(self, port: int, frames: Path, *, mount: str = "/lobby", fps: int = 10, loop: bool = True,
                 stall_after: int | None = None, keyframes: int = 10) -> None:
        self.port = port
        self.frames = Path(frames)
        self.mount = mount
        self.fps = fps
        self.loop = loop
        self.stall_after = stall_after
        self.keyframes = keyframes
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None
        self._seen = 0  # lines of the log already matched against

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}{self.mount}"

    @property
    def output(self) -> list[str]:
        if self._log is None:
            return []
        self._log.seek(0)
        return self._log.read().decode(errors="replace").splitlines()

    def start(self, timeout_s: float = START_TIMEOUT_S) -> RtspServer:
        """Start the server and return once it listens (RuntimeError with its output if it does not)."""
        if self.process is not None:
            return self
        command = [SYSTEM_PYTHON, str(Path(__file__).resolve()), "--port", str(self.port), "--mount", self.mount,
                   "--frames", str(self.frames), "--fps", str(self.fps), "--keyframes", str(self.keyframes)]
        if self.loop:
            command.append("--loop")
        if self.stall_after is not None:
            command += ["--stall-after", str(self.stall_after)]
        env = _system_python_env()
        if self._log is not None:
            self._log.close()
        self._log = tempfile.TemporaryFile()
        self._seen = 0
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=self._log, stderr=subprocess.STDOUT,
                                        bufsize=0, env=env)
        self._expect("READY", timeout_s)
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """End the server (SIGTERM, then SIGKILL) and wait for it; every session's connection is closed."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout_s)
        if process.stdin is not None:
            try:
                process.stdin.close()
            except OSError:
                pass

    def close(self) -> None:
        """stop(), and drop the output file."""
        self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None

    def stall(self) -> None:
        """Stop sending frames on every session; the sessions and their connections stay open."""
        self._command("stall")

    def resume(self) -> None:
        self._command("resume")

    def _command(self, command: str) -> None:
        assert self.process is not None and self.process.stdin is not None, "the server is not running"
        self.process.stdin.write(command.encode() + b"\n")
        self._expect(f"OK {command}", 5.0)

    def _expect(self, prefix: str, timeout_s: float) -> str:
        """Wait for a new output line starting with ``prefix``; stop the server and raise RuntimeError (with its
        output) if none comes within ``timeout_s`` or the server ends."""
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while True:
            lines = self.output
            for line in lines[self._seen:]:
                self._seen += 1
                if line.startswith(prefix):
                    return line
            if self.process.poll() is not None or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        ended = self.process.poll()
        self.stop()
        why = f"ended with exit code {ended}" if ended is not None else f"did not say {prefix!r} within {timeout_s:g} s"
        raise RuntimeError("the RTSP server " + why + ":\n" + "\n".join(self.output[-20:]))

    def __enter__(self) -> RtspServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    sys.exit(main())
