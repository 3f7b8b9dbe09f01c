# SPDX-License-Identifier: GPL-3.0-or-later
"""Many concurrent anonymous FTP sessions, bounded in count and time, for the load tests.

Runs inside a container (``podman exec -i NAME python3 - JSON < ftpload.py``). Every session
connects (from one of ``sources``, round robin), reads the greeting and, when admitted, logs in
anonymously; then all sessions wait for each other, so they are open at the same time, and quit.
Prints one JSON summary: admitted, refused (4xx greeting or login) and failed (anything else),
with the replies seen and timings.

Load: {"host", "port", "sessions", "sources": ["addr", ...], "hold": seconds, "timeout": seconds,
       "ramp": seconds over which the sessions start (a burst of SYNs larger than the daemon's
       listen backlog would otherwise measure TCP retransmission, not the daemon)}
"""

from __future__ import annotations

import collections
import ftplib
import json
import sys
import threading
import time
from typing import Any


def session(load: dict[str, Any], source: str, barrier: threading.Barrier, out: dict[str, Any]) -> None:
    ftp = ftplib.FTP(timeout=float(load.get("timeout", 30)), source_address=(source, 0) if source else None)
    start = time.monotonic()
    try:
        try:
            out["greeting"] = ftp.connect(load["host"], int(load.get("port", 21)))
        except ftplib.error_temp as exc:
            out.update(result="refused", reply=str(exc).strip())
            return
        out["connect_s"] = time.monotonic() - start
        try:
            ftp.login("anonymous", "load@example.org")
        except ftplib.error_temp as exc:
            out.update(result="refused", reply=str(exc).strip())
            return
        out.update(result="admitted", login_s=time.monotonic() - start)
    except (OSError, EOFError, ftplib.Error) as exc:
        out.update(result="failed", reply=f"{type(exc).__name__}: {exc}".strip())
    finally:
        # Admitted or not, wait until every session has been tried: admitted ones stay open.
        try:
            barrier.wait(timeout=float(load.get("hold", 60)))
        except threading.BrokenBarrierError:
            out.setdefault("late", True)
        try:
            ftp.quit()
        except (OSError, EOFError, ftplib.Error):
            ftp.close()


def run(load: dict[str, Any]) -> dict[str, Any]:
    count = int(load["sessions"])
    if not 1 <= count <= 500:
        raise ValueError("sessions must be 1-500")
    sources = load.get("sources") or [""]
    barrier = threading.Barrier(count)
    outs: list[dict[str, Any]] = [{} for _session in range(count)]
    threads = [
        threading.Thread(target=session, args=(load, sources[i % len(sources)], barrier, outs[i]), daemon=True)
        for i in range(count)
    ]
    spacing = float(load.get("ramp", 0)) / count
    start = time.monotonic()
    for thread in threads:
        thread.start()
        time.sleep(spacing)
    for thread in threads:
        thread.join(float(load.get("hold", 60)) + float(load.get("timeout", 30)) + 10)
    elapsed = time.monotonic() - start
    results = collections.Counter(o.get("result", "unfinished") for o in outs)
    replies = collections.Counter(o.get("reply", "") for o in outs if o.get("result") != "admitted")
    logins = sorted(o["login_s"] for o in outs if "login_s" in o)
    per_source: dict[str, int] = collections.Counter(
        sources[i % len(sources)] for i, o in enumerate(outs) if o.get("result") == "admitted"
    )
    return {
        "sessions": count,
        "admitted": results["admitted"],
        "refused": results["refused"],
        "failed": results["failed"],
        "unfinished": results["unfinished"],
        "late": sum(1 for o in outs if o.get("late")),
        "replies": dict(replies),
        "admitted_per_source": dict(per_source),
        "elapsed_s": round(elapsed, 2),
        "login_s_max": round(logins[-1], 3) if logins else None,
        "login_s_median": round(logins[len(logins) // 2], 3) if logins else None,
    }


def main() -> int:
    load = json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
    print(json.dumps(run(load)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
