#!/usr/bin/env python3
"""Kill -9 under load: the workload and the checks of scripts/crash.sh (run that, not this).

Starts `rectify serve` on a database filled with the demo, lets concurrent writers use the HTTP
API as the demo's users (progress entries with evidence files as the department and the unit's
liaison, new measures and edits of problems as the liaison), SIGKILLs the server at a random
moment, starts it again, for CYCLES cycles. Every write the server acknowledged (a 2xx answer)
is recorded; at the end each must be found through the API, `rectify audit verify` must say the
trail is intact and, on SQLite, `PRAGMA integrity_check` must say ok.

Environment (set by crash.sh): RECTIFY_BIN, DATABASE (sqlite:PATH or postgres://…), WORK (a
folder for the server's files), CYCLES, WRITERS, SEED, RECTIFY_AUDIT_KEY_FILE.
"""

import hashlib
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

BIN = os.environ["RECTIFY_BIN"]
DATABASE = os.environ["DATABASE"]
WORK = os.environ["WORK"]
CYCLES = int(os.environ.get("CYCLES", "100"))
WRITERS = int(os.environ.get("WRITERS", "6"))
SEED = int(os.environ.get("SEED", "13"))
PASSWORD = "Demo#Zhenggai2024"
EVIDENCE = os.path.join(WORK, "evidence")
LOG = os.path.join(WORK, "server.log")
# A minimal PDF: enough for the evidence store's check of the content.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()


class Server:
    """The server process, started and killed by the main thread."""

    def __init__(self):
        self.proc = None
        self.log = open(LOG, "ab")

    def start(self, command="serve"):
        args = [BIN, "serve", "--database", DATABASE, "--addr", f"127.0.0.1:{PORT}", "--evidence-dir", EVIDENCE]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"crash: the server exited with {self.proc.returncode} on start; see {LOG}")
            try:
                status, _ = request("GET", "/healthz", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.02)
        sys.exit(f"crash: the server did not answer within 60 s; see {LOG}")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def request(method, path, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


class Session:
    """A demo user signed in through the API; signs in again when the session is gone."""

    def __init__(self, username):
        self.username = username
        self.cookie = None
        self.csrf = None

    def sign_in(self):
        body = json.dumps({"username": self.username, "password": PASSWORD})
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        try:
            conn.request("POST", "/api/session", body=body, headers={"Content-Type": "application/json"})
            answer = conn.getresponse()
            data = answer.read()
            if answer.status != 200:
                raise OSError(f"sign-in of {self.username}: {answer.status} {data[:200]!r}")
            self.cookie = answer.getheader("Set-Cookie").split(";")[0]
            self.csrf = json.loads(data)["csrf_token"]
        finally:
            conn.close()

    def call(self, method, path, body=None, content_type="application/json"):
        if self.cookie is None:
            self.sign_in()
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        headers = {"Cookie": self.cookie, "X-CSRF-Token": self.csrf}
        if body is not None:
            headers["Content-Type"] = content_type
        status, data = request(method, path, body, headers)
        if status == 401:
            self.cookie = None
        return status, data


def multipart(fields, file=None):
    boundary = "----crashboundary"
    out = b""
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    if file is not None:
        name, content = file
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


class Ledger:
    """Every acknowledged write, and the edits that were sent but never answered."""

    def __init__(self):
        self.lock = threading.Lock()
        self.progress = []  # (measure id, text, sha256 or None)
        self.measures = []  # (measure id, text)
        self.edits = {}  # problem id -> list of (version, description, acknowledged)
        self.attempts = 0
        self.refused = {}  # status -> count (409s and the like, never counted as lost)
        self.samples = {}  # (kind, status) -> the first answer

    def count(self):
        with self.lock:
            return len(self.progress) + len(self.measures) + sum(
                1 for e in self.edits.values() for (_, _, acked) in e if acked
            )

    def refusal(self, status, kind, data):
        with self.lock:
            self.refused[status] = self.refused.get(status, 0) + 1
            self.samples.setdefault((kind, status), data[:200].decode("utf-8", "replace"))


STOP = threading.Event()
ERRORS = []


def writer(index, kind, session, target, ledger, rng):
    """One writer: writes of one kind on its own measure or problem, as fast as answers come."""
    version = None
    n = 0
    while not STOP.is_set():
        n += 1
        tag = f"崩溃测试 w{index} #{n} {rng.getrandbits(32):08x}"
        try:
            with ledger.lock:
                ledger.attempts += 1
            if kind == "progress":
                if version is None:
                    version = 0  # corrected by the first 409's current_version
                file = None
                sha = None
                if n % 3 == 0:
                    content = PDF + f"% {tag}\n".encode()
                    sha = hashlib.sha256(content).hexdigest()
                    file = ("证明材料.pdf", content)
                ct, body = multipart([("version", version), ("text", tag), ("date", "2026-12-04")], file)
                status, data = session.call("POST", f"/api/measures/{target}/progress", body, ct)
                if 200 <= status < 300:
                    version = json.loads(data)["version"]
                    with ledger.lock:
                        ledger.progress.append((target, tag, sha))
                elif status == 409:
                    version = json.loads(data).get("current_version", version)
                    ledger.refusal(status, kind, data)
                elif status != 401:
                    ledger.refusal(status, kind, data)
            elif kind == "measure":
                status, data = session.call("POST", f"/api/problems/{target}/measures", {"text": tag})
                if 200 <= status < 300:
                    with ledger.lock:
                        ledger.measures.append((json.loads(data)["id"], tag))
                elif status != 401:
                    ledger.refusal(status, kind, data)
            else:  # edit
                if version is None:
                    status, data = session.call("GET", f"/api/problems/{target}")
                    if status != 200:
                        continue
                    version = json.loads(data)["version"]
                entry = [version + 1, tag, False]
                with ledger.lock:
                    ledger.edits.setdefault(target, []).append(entry)
                status, data = session.call("PATCH", f"/api/problems/{target}", {"version": version, "description": tag})
                if 200 <= status < 300:
                    version = json.loads(data)["version"]
                    with ledger.lock:
                        entry[0], entry[2] = version, True
                else:
                    # Refused, so not stored: not among the edits the check may find instead.
                    entry[2] = None
                    if status == 409:
                        version = None
                    if status != 401:
                        ledger.refusal(status, kind, data)
            if status >= 500:
                ERRORS.append(f"{kind} w{index}: {status} {data[:300]!r}")
        except (OSError, http.client.HTTPException, ValueError):
            # The server is down (killed) or the answer was cut off: not acknowledged.
            time.sleep(0.01)


def setup(server):
    """Which measures and problems each writer works on."""
    server.start()
    dept, liaison = Session("dept"), Session("liaison")
    _, data = dept.call("GET", "/api/inspections/1/measures?limit=500")
    dept_measures = [m["id"] for m in json.loads(data)["items"]]
    _, data = liaison.call("GET", "/api/inspections/1/measures?limit=500")
    # Open measures only: progress on a closed (销号) one is refused.
    all_measures = [m["id"] for m in json.loads(data)["items"] if m["measure"].get("status") != "completed"]
    _, data = liaison.call("GET", "/api/inspections/1/problems?limit=500")
    problems = [p["id"] for p in json.loads(data)["items"]]
    server.stop()
    return dept_measures, [m for m in all_measures if m not in dept_measures], problems


def check(ledger, office):
    """Every acknowledged write, looked up through the API; the list of what is missing."""
    lost = []
    measures = {}

    def measure(mid):
        if mid not in measures:
            status, data = office.call("GET", f"/api/measures/{mid}")
            measures[mid] = json.loads(data)["measure"] if status == 200 else None
        return measures[mid]

    for mid, text, sha in ledger.progress:
        m = measure(mid)
        if m is None or not any(p["text"] == text for p in m["progress"]):
            lost.append(f"progress {text!r} on measure {mid}")
        if sha is not None:
            status, data = office.call("GET", f"/api/evidence/{sha}")
            if status != 200 or hashlib.sha256(data).hexdigest() != sha:
                lost.append(f"evidence {sha} of {text!r}: {status}")
    for mid, text in ledger.measures:
        m = measure(mid)
        if m is None or m["text"] != text:
            lost.append(f"measure {mid} {text!r}")
    for pid, edits in ledger.edits.items():
        acked = [e for e in edits if e[2]]
        if not acked:
            continue
        status, data = office.call("GET", f"/api/problems/{pid}")
        problem = json.loads(data)
        last = acked[-1]
        # The last acknowledged edit, or an edit sent after it that the kill left unanswered.
        later = {e[1] for e in edits[edits.index(last) + 1 :] if e[2] is False}
        description = problem["problem"].get("description")
        if problem["version"] < last[0] or (description != last[1] and description not in later):
            lost.append(f"problem {pid}: version {problem['version']} {description!r}, acknowledged {last}")
    return lost


def main():
    rng = random.Random(SEED)
    server = Server()
    started = time.monotonic()
    dept_measures, other_measures, problems = setup(server)
    plan = []
    for i in range(WRITERS):
        kind = ["progress", "measure", "edit"][i % 3]
        if kind == "progress":
            pool = dept_measures if i % 2 == 0 else other_measures
            user = "dept" if pool is dept_measures else "liaison"
            target = pool[(i // 3) % len(pool)]
        else:
            user, target = "liaison", problems[(i * 5) % len(problems)]
        plan.append((kind, user, target))
    ledger = Ledger()
    server.start()
    threads = [
        threading.Thread(
            target=writer, args=(i, kind, Session(user), target, ledger, random.Random(SEED * 1000 + i)), daemon=True
        )
        for i, (kind, user, target) in enumerate(plan)
    ]
    for t in threads:
        t.start()
    for cycle in range(1, CYCLES + 1):
        time.sleep(rng.uniform(0.2, 1.5))
        server.kill()
        server.start()
        if cycle % 10 == 0:
            print(f"  cycle {cycle}: {ledger.count()} writes acknowledged", flush=True)
    time.sleep(0.5)
    STOP.set()
    for t in threads:
        t.join(timeout=15)
    office = Session("office")
    lost = check(ledger, office)
    server.stop()
    verify = subprocess.run([BIN, "audit", "verify", "--database", DATABASE], capture_output=True, text=True)
    integrity = "n/a (PostgreSQL)"
    if DATABASE.startswith("sqlite:"):
        db = sqlite3.connect(DATABASE.removeprefix("sqlite:"))
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
    with open(LOG, "rb") as f:
        panics = f.read().count(b"panicked")
    took = time.monotonic() - started
    acked = ledger.count()
    print(f"backend:              {DATABASE.split(':')[0]}")
    print(f"cycles:               {CYCLES} (SIGKILL each, writers: {WRITERS}: {', '.join(k for k, _, _ in plan)})")
    print(f"writes sent:          {ledger.attempts}")
    print(
        f"writes acknowledged:  {acked} (progress {len(ledger.progress)}, "
        f"of which with evidence {sum(1 for p in ledger.progress if p[2])}; new measures {len(ledger.measures)}; "
        f"problem edits {acked - len(ledger.progress) - len(ledger.measures)})"
    )
    print(f"refused (not lost):   {dict(sorted(ledger.refused.items()))}")
    for (kind, status), sample in sorted(ledger.samples.items()):
        print(f"  e.g. {kind} {status}: {sample}")
    print(f"lost:                 {len(lost)}")
    print(f"server errors (5xx):  {len(ERRORS)}")
    print(f"panics in the log:    {panics}")
    print(f"audit verify:         exit {verify.returncode}: {verify.stdout.strip() or verify.stderr.strip()}")
    print(f"integrity_check:      {integrity}")
    print(f"time:                 {took:.0f} s")
    for line in lost[:20] + ERRORS[:20]:
        print("  " + line)
    ok = not lost and not ERRORS and panics == 0 and verify.returncode == 0 and integrity in ("ok", "n/a (PostgreSQL)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
