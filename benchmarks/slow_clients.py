"""Slow clients against the ticket API of ``main.py serve``: threads held, a good request's latency, connections closed.

    .venv/bin/python benchmarks/slow_clients.py [--connections 600] [--cap-s 30] [--bodies anonymous|token|console]
                                                [--quick]

A real branch (resources/examples/branch.toml, a SQLite file in a temporary data directory, the API enabled on a free
port of 127.0.0.1, its token made as ``api token rotate`` makes it, an administrator) is served by ``main.py serve``
in a process of its own, as an IT department runs it. Then --connections connections each send half a request and
stay silent: half of them a request line and some headers without the blank line that ends the headers, the other
half whole headers with a Content-Length and only half of that body. The half bodies go (--bodies) to
``POST /api/v1/events`` without the token (default: a stranger on the network), with it (the ticketing system, its
network stalling in the middle of a request: the service reads the body) or to an endpoint for people without a
login. Meanwhile one good request (``POST /api/v1/events``, one ``issued`` event of now, with the bearer token) is
sent on a connection of its own.

Printed: the service process's thread count (``Threads`` of /proc/PID/status) before the slow clients, at its peak
while they are connected (sampled every 20 ms) and after they are gone; the good request's status and latency in
ms (from connect to the whole answer; for comparison the same request before the slow clients and after them);
how many of the half requests the service closed (each socket read until it returns b'' or fails), after how many
seconds from the last byte sent on it (min, median, max, by kind), and what it answered before closing; the ERROR
lines and tracebacks in the service's console.log meanwhile. Waiting for the closes ends --cap-s seconds after the
last connection was opened. The service's limits are the constants at the top of console/feed/http_api.py:
``IDLE_TIMEOUT_S`` for unfinished headers, ``READ_TIMEOUT_S`` for a body that stops arriving, ``MAX_IN_FLIGHT``
requests at once (more are answered 503). The last three lines are verdicts: the threads the slow clients added (at
most ``MAX_IN_FLIGHT``), the good request (200 within 5 s), every half request closed within the cap. Exit status 0
once measured, whatever the verdicts; 1 when the service does not start.

--quick: 100 connections, closes waited for at most 15 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.feed.http_api import EVENTS_PATH, IDLE_TIMEOUT_S, MAX_IN_FLIGHT, READ_TIMEOUT_S  # noqa: E402

BRANCH_FILE = ROOT / "resources" / "examples" / "branch.toml"
USER, PASSWORD = "admin", "Slow2026clients"
#: The good request must be answered within this many seconds while the slow clients are connected.
GOOD_WITHIN_S = 5.0
#: Bytes of body a half-body client announces (it sends half of them).
BODY_BYTES = 400


def thread_count(pid: int) -> int | None:
    """``Threads`` of /proc/PID/status; None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^Threads:\s+(\d+)", text, re.MULTILINE)
    return int(match.group(1)) if match else None


class ServiceOutput:
    """The service's stderr read to its end in a thread (a full pipe would block it), kept line by line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(process,), name="service-stderr", daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout_s: float) -> re.Match | None:
        def found() -> re.Match | None:
            return next((m for line in self.lines if (m := re.search(pattern, line))), None)

        with self._changed:
            self._changed.wait_for(lambda: found() is not None or not self._thread.is_alive(), timeout_s)
            return found()

    def text(self) -> str:
        with self._changed:
            return "".join(self.lines)


def good_request(port: int, token: str, zone: ZoneInfo, n: int) -> tuple[int, float, str]:
    """One valid event posted on a new connection: (status, seconds from connect to the whole answer, answer)."""
    event = {"event_id": f"bench-slow-{n}", "type": "issued", "ticket_id": f"A{n:03d}", "service_type": "个人现金",
             "at": datetime.now(zone).isoformat(timespec="seconds")}
    body = json.dumps(event, ensure_ascii=False).encode("utf-8")
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", EVENTS_PATH, body=body,
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        answer = response.read().decode("utf-8", "replace")
        return response.status, time.perf_counter() - started, answer
    except OSError as exc:
        return 0, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()


class Sampler:
    """The service's thread count every ``every_s`` seconds in a background thread, until ``stop``."""

    def __init__(self, pid: int, every_s: float = 0.02) -> None:
        self.pid, self.every_s = pid, every_s
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="thread-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            count = thread_count(self.pid)
            if count is not None:
                self.samples.append(count)
            if self._stop.wait(self.every_s):
                return

    def stop(self) -> list[int]:
        self._stop.set()
        self._thread.join()
        return self.samples


#: What the half-body connections send (--bodies): path, and whether they carry the API token.
BODIES = {
    "anonymous": (EVENTS_PATH, False),  # no token: a stranger on the network
    "token": (EVENTS_PATH, True),  # the ticketing system itself, its network stalling in the middle of a request
    "console": ("/api/v1/console/alerts/1/acknowledge", False),  # the endpoints for people, no login
}


def half_requests(port: int, n: int, kinds: list[str], body_path: str, token: str | None
                  ) -> tuple[list[socket.socket], list[float]]:
    """``n`` connections, each sending half a request of its kind (the half bodies to ``body_path``, with ``token``
    if given); the sockets and when each sent its last byte."""
    headers_only = (b"POST " + EVENTS_PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nContent-Le")
    body = b'{"event_id": "slow", "type": "issued", "ticket_id": "A999", "service_type": "cash", "at": "' \
           + b"x" * BODY_BYTES
    half_body = (b"POST " + body_path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 + (f"Authorization: Bearer {token}\r\n".encode() if token else b"")
                 + b"Content-Type: application/json\r\nContent-Length: " + str(BODY_BYTES).encode() + b"\r\n\r\n"
                 + body[:BODY_BYTES // 2])
    sockets, sent_at = [], []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(headers_only if kinds[i] == "headers" else half_body)
        sent_at.append(time.monotonic())
        s.setblocking(False)
        sockets.append(s)
    return sockets, sent_at


def watch_closes(sockets: list[socket.socket], sent_at: list[float], cap_s: float, closed: dict[int, float],
                 answered: dict[int, bytes]) -> None:
    """Read every socket until it returns b'' or fails (closed by the service), for at most ``cap_s`` seconds from
    the last one sent; fills ``closed`` (index → monotonic time of the close) and ``answered`` (index → what the
    service sent before closing) as it goes."""
    selector = selectors.DefaultSelector()
    for i, s in enumerate(sockets):
        selector.register(s, selectors.EVENT_READ, i)
    deadline = max(sent_at) + cap_s
    while len(closed) < len(sockets):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in selector.select(timeout=min(left, 0.5)):
            i = key.data
            try:
                data = key.fileobj.recv(65536)  # type: ignore[union-attr]
            except BlockingIOError:
                continue
            except OSError:  # reset by the service: closed too
                data = b""
            if data:
                answered[i] = answered.get(i, b"") + data
                continue
            closed[i] = time.monotonic()
            selector.unregister(key.fileobj)
    selector.close()


def log_errors(path: Path, offset: int) -> tuple[int, int, list[str]]:
    """ERROR lines and tracebacks in the service's log after ``offset``, and its distinct ERROR messages."""
    try:
        with path.open("rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return 0, 0, []
    errors = [m.group(1) for m in re.finditer(r"^\S+ \S+ ERROR (.*)$", text, re.MULTILINE)]
    distinct = sorted({re.sub(r"\b\d+\b", "N", e)[:160] for e in errors})
    return len(errors), text.count("Traceback (most recent call last)"), distinct


def spread(values: list[float]) -> str:
    if not values:
        return "none"
    return f"min {min(values):.1f} s, median {statistics.median(values):.1f} s, max {max(values):.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=None,
                        help="connections sending half a request (default 600; --quick 100)")
    parser.add_argument("--cap-s", type=float, default=None,
                        help="longest wait for the service to close them, seconds (default 30; --quick 15)")
    parser.add_argument("--bodies", choices=tuple(BODIES), default="anonymous",
                        help="the half bodies: to POST /api/v1/events without the token (default), with the token "
                             "(the service reads the body instead of answering 401 at once), or to an endpoint for "
                             "people without a login")
    parser.add_argument("--quick", action="store_true", help="a short run: 100 connections, 15 s cap")
    args = parser.parse_args()
    if args.connections is None:
        args.connections = 100 if args.quick else 600
    if args.cap_s is None:
        args.cap_s = 15.0 if args.quick else 30.0
    if not Path("/proc/self/status").exists():
        print("skipped: /proc (the service's thread count is read from /proc/PID/status)", file=sys.stderr)
        return 77

    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.connections + 256  # this process's sockets; the service inherits the limit
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            print(f"skipped: file descriptors: {args.connections} connections need about {wanted}, the limit is "
                  f"{hard}", file=sys.stderr)
            return 77
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    def interrupt(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # the service is stopped and the data directory removed
    data = Path(tempfile.mkdtemp(prefix="slow-clients-bench-"))
    started: list[subprocess.Popen[str]] = []  # the service, once started
    try:
        return run(args, data, started)
    except KeyboardInterrupt:
        print("interrupted: stopping the service", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for service in started:
            if service.poll() is not None:
                continue
            service.send_signal(signal.SIGTERM)
            try:
                service.wait(30)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()
        shutil.rmtree(data, ignore_errors=True)


def run(args: argparse.Namespace, data: Path, started: list[subprocess.Popen[str]]) -> int:
    from console.bootstrap import prepare
    from console.branches.branch_file import read_branch_file
    from console.branches.branch_setup import apply_plan
    from console.domain.permissions import Role
    from console.feed.token import rotate_token
    from console.security.users import UserStore

    with socket.socket() as probe:  # a free port on loopback for the service's ticket API
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the file secret store: the token is not left in a desktop keyring of whoever runs the benchmark
    (data / "settings.toml").write_text(f'[api]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n\n'
                                        '[security]\nsecret_store = "file"\n', encoding="utf-8")
    plan = read_branch_file(BRANCH_FILE)
    zone = ZoneInfo(plan.timezone)
    env = prepare(argparse.Namespace(data_dir=data, db=None, lang="en", log_level="INFO"))
    try:
        apply_plan(env.db, plan, "benchmark")
        UserStore(env.db).add(USER, "Benchmark", Role.ADMINISTRATOR, PASSWORD, "benchmark")
        token = rotate_token(env.secrets, env.db, "benchmark").token
    finally:
        env.close()

    environ = {k: v for k, v in os.environ.items() if k not in ("BRANCH_CONSOLE_DB", "BRANCH_CONSOLE_USER")}
    environ["BRANCH_CONSOLE_DATA_DIR"] = str(data)
    t0 = time.perf_counter()
    service = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--user", USER, "--password-stdin", "serve"],
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=environ, cwd=ROOT)
    started.append(service)
    assert service.stdin is not None
    service.stdin.write(PASSWORD + "\n")
    service.stdin.close()
    output = ServiceOutput(service)
    ready = output.wait_for(r"ticket API (http://127\.0\.0\.1:(\d+))", 90)
    if ready is None or service.poll() is not None:
        print(f"error: main.py serve did not start its ticket API (exit {service.poll()}); its stderr:\n"
              f"{output.text()[-3000:]}", file=sys.stderr)
        return 1
    start_s = time.perf_counter() - t0
    pid = service.pid

    # unloaded: the same request before any slow client (the first one also starts the store's worker thread)
    idle_trips = [good_request(port, token, zone, n) for n in (1, 2, 3)]
    time.sleep(0.5)
    before = thread_count(pid)

    n = args.connections
    kinds = ["headers" if i % 2 == 0 else "body" for i in range(n)]
    log_path = data / "console.log"
    log_offset = log_path.stat().st_size if log_path.exists() else 0
    sampler = Sampler(pid)
    opened_at = time.monotonic()
    body_path, with_token = BODIES[args.bodies]
    sockets, sent_at = half_requests(port, n, kinds, body_path, token if with_token else None)
    open_s = time.monotonic() - opened_at
    closed: dict[int, float] = {}
    answered: dict[int, bytes] = {}
    watcher = threading.Thread(target=watch_closes, args=(sockets, sent_at, args.cap_s, closed, answered),
                               name="close-watcher", daemon=True)
    watcher.start()
    time.sleep(0.5)  # the service has taken every connection in
    connected_at_good = n - len(closed)
    status, latency, answer = good_request(port, token, zone, 100)
    threads_at_good = thread_count(pid)
    watcher.join()
    for s in sockets:
        s.close()
    time.sleep(1.0)
    samples = sampler.stop()
    after = thread_count(pid)
    after_status, after_latency, _ = good_request(port, token, zone, 101)
    peak = max(samples) if samples else None
    errors, tracebacks, messages = log_errors(log_path, log_offset)
    closed_after = {i: at - sent_at[i] for i, at in closed.items()}

    alive = service.poll() is None
    print(f"slow clients: main.py serve on a real branch (SQLite), pid {pid}, ticket API on 127.0.0.1:{port} "
          f"(up in {start_s:.1f} s); limits: idle {IDLE_TIMEOUT_S} s, read {READ_TIMEOUT_S} s, "
          f"{MAX_IN_FLIGHT} requests in flight")
    print(f"  {n} connections sending half a request opened in {open_s:.2f} s: {kinds.count('headers')} with "
          f"unfinished headers, {kinds.count('body')} with headers and {BODY_BYTES // 2} of {BODY_BYTES} body bytes")
    print(f"  service threads: before {before}, peak during {peak} ({len(samples)} samples every 20 ms; "
          f"{threads_at_good} as the good request was answered), after {after}")
    print(f"  good POST {EVENTS_PATH} with {connected_at_good} half requests connected: status {status}, "
          f"{latency * 1000:.1f} ms (answer {answer[:80]})")
    print("  the same request without slow clients: " + ", ".join(f"{s} in {t * 1000:.1f} ms"
                                                                    for s, t, _ in idle_trips)
          + f"; after them: {after_status} in {after_latency * 1000:.1f} ms")
    body_label = f"half a body (POST {body_path}, {'with' if with_token else 'without'} the token)"
    for kind, label in (("headers", "unfinished headers"), ("body", body_label)):
        indexes = [i for i in range(n) if kinds[i] == kind]
        got = [closed_after[i] for i in indexes if i in closed_after]
        answers = [answered[i] for i in indexes if i in answered]
        statuses = sorted({a.split(b"\r\n", 1)[0].decode("latin-1")[:40] for a in answers})
        print(f"  {label}: closed by the service {len(got)} of {len(indexes)} within {args.cap_s:.0f} s, after "
              f"{spread(got)}; answered before closing {len(answers)}" + (f" ({', '.join(statuses)})"
                                                                          if statuses else ""))
    print(f"  service log meanwhile: {errors} ERROR lines, {tracebacks} tracebacks"
          + "".join(f"\n    {m}" for m in messages[:5]))
    print(f"  service still running: {'yes' if alive else f'NO (exit {service.poll()})'}")
    if not alive:
        print(f"  its stderr:\n{output.text()[-3000:]}")

    added = (peak - before) if peak is not None and before is not None else None
    ok_threads = added is not None and added <= MAX_IN_FLIGHT
    print(f"threads during: {peak} (before {before}, +{added}; limit +{MAX_IN_FLIGHT}) "
          + ("ok" if ok_threads else "TOO MANY"))
    ok_good = status == 200 and latency <= GOOD_WITHIN_S
    print(f"good request: {status} in {latency * 1000:.1f} ms (limit 200 within {GOOD_WITHIN_S:.0f} s) "
          + ("ok" if ok_good else "FAILED"))
    print(f"half requests closed: {len(closed)} of {n} within {args.cap_s:.0f} s, the last after "
          + (f"{max(closed_after.values()):.1f} s" if closed_after else "-")
          + f" (idle timeout {IDLE_TIMEOUT_S} s, read timeout {READ_TIMEOUT_S} s) "
          + ("ok" if len(closed) == n else "NOT ALL CLOSED"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
