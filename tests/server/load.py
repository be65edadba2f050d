"""A quick bounded load on a real server (not a test): THREADS clients x REQS requests, half POST /ops (3 notes),
half GET /changes; prints p50/p99 per endpoint and a full pull from cursor 0.

    .venv/bin/python tests/server/load.py sqlite postgresql          # THREADS=20 REQS=50 WORKERS=2 by default
"""
import sys, time, threading, uuid, statistics, tempfile, os
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from pathlib import Path
import httpx
from tests.server import pg
from tests.server.conftest import prepare_database, start_server, new_case_op

def run(backend):
    tmp = Path(tempfile.mkdtemp())
    cluster = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp}/load.db"
    else:
        cluster = pg.start_cluster(); url = cluster.create_database("load")
    tokens = prepare_database(url)
    extra = ("--workers", os.environ.get("WORKERS", "2")) if backend == "postgresql" else ()
    srv = start_server(backend, url, tmp, *extra)
    try:
        hdr = {"Authorization": f"Bearer {tokens['sue']}"}
        with httpx.Client(base_url=srv.base_url, headers=hdr) as c:
            cases = [c.post("/api/v1/ops", json={"ops": [new_case_op("General")]}).json()["results"][0]["result"]["case_uid"] for _ in range(int(os.environ.get("THREADS", "20")))]
            # some feed volume
            for _ in range(20):
                c.post("/api/v1/ops", json={"ops": [new_case_op("General") for _ in range(25)]})
        lat = {"ops": [], "changes": []}
        lock = threading.Lock()
        def worker(i):
            login = f"racer{i % 10}"
            h = {"Authorization": f"Bearer {tokens[login]}"}
            cursor = 0
            with httpx.Client(base_url=srv.base_url, headers=h, timeout=30) as c:
                for n in range(int(os.environ.get("REQS", "50"))):
                    if n % 2 == 0:
                        ops = [{"op_id": str(uuid.uuid4()), "kind": "message.add", "payload": {"message": {
                            "uid": str(uuid.uuid4()), "case_uid": cases[i], "direction": "out", "body": f"note {n}",
                            "is_internal": True}}} for _ in range(3)]
                        t = time.perf_counter(); r = c.post("/api/v1/ops", json={"ops": ops}); d = time.perf_counter() - t
                        assert r.status_code == 200, r.text
                        key = "ops"
                    else:
                        t = time.perf_counter(); r = c.get("/api/v1/changes", params={"cursor": cursor, "limit": 500}); d = time.perf_counter() - t
                        assert r.status_code == 200
                        cursor = r.json()["next_cursor"]
                        key = "changes"
                    with lock: lat[key].append(d * 1000)
        t0 = time.perf_counter()
        th = [threading.Thread(target=worker, args=(i,)) for i in range(int(os.environ.get("THREADS", "20")))]
        [t.start() for t in th]; [t.join() for t in th]
        wall = time.perf_counter() - t0
        for k, v in lat.items():
            v.sort()
            print(f"{backend:10s} {k:8s} n={len(v)} p50={statistics.median(v):.1f} ms p99={v[int(len(v)*0.99)-1]:.1f} ms")
        print(f"{backend:10s} total {sum(map(len, lat.values()))} requests in {wall:.1f} s = {sum(map(len, lat.values()))/wall:.0f} req/s")
        # pull everything from 0
        with httpx.Client(base_url=srv.base_url, headers=hdr) as c:
            cursor, n, t = 0, 0, time.perf_counter()
            while True:
                p = c.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
                n += len(p["changes"]); cursor = p["next_cursor"]
                if not p["has_more"]: break
            print(f"{backend:10s} full pull {n} changes in {time.perf_counter()-t:.2f} s")
    finally:
        srv.stop()
        if cluster: cluster.stop()

for b in sys.argv[1:]:
    run(b)
