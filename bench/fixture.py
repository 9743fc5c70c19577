#!/usr/bin/env python3
"""Builds the benchmark fixture: N jobs as uploads/<id>/data.csv, results/<id>.json and a job:<id>
JSON record; one job in ten expired (TTL + 2 h old), the rest recent. Redis records are written as
one RESP stream for `redis-cli --pipe` (pipelined, so 100,000 keys take about a second)."""
import argparse
import datetime
import os
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--jobs", type=int, default=100_000)
    p.add_argument("--ttl-hours", type=float, default=24)
    p.add_argument("--resp", required=True, help="file to write the Redis commands to")
    p.add_argument("--expired-list", help="file to write the expired files' paths (relative to the root) to")
    a = p.parse_args()

    now = datetime.datetime.now(datetime.timezone.utc)
    old = now - datetime.timedelta(hours=a.ttl_hours + 2)
    recent = now - datetime.timedelta(hours=a.ttl_hours - 2)
    old_ts, recent_ts = old.timestamp(), recent.timestamp()
    uploads = os.path.join(a.root, "uploads")
    results = os.path.join(a.root, "results")
    os.makedirs(uploads, exist_ok=True)
    os.makedirs(results, exist_ok=True)
    expired = 0
    expired_list = open(a.expired_list, "w") if a.expired_list else None
    with open(a.resp, "wb") as resp:
        for i in range(a.jobs):
            job = "job_20251206_%06d_%04d" % (i // 10000, i % 10000)
            is_old = i % 10 == 0
            expired += is_old
            ts = old_ts if is_old else recent_ts
            folder = os.path.join(uploads, job)
            os.mkdir(folder)
            for path, body in ((os.path.join(folder, "data.csv"), b"id,value\n1,42\n"),
                               (os.path.join(results, job + ".json"), b'{"rows":1}')):
                with open(path, "wb") as f:
                    f.write(body)
                os.utime(path, (ts, ts))
                if is_old and expired_list:
                    expired_list.write(os.path.relpath(path, a.root) + "\n")
            stamp = (old if is_old else recent).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            value = ('{"jobId":"%s","status":"completed","createdAt":"%s","updatedAt":"%s"}' % (job, stamp, stamp)).encode()
            key = ("job:" + job).encode()
            resp.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
    if expired_list:
        expired_list.close()
    print(expired)


if __name__ == "__main__":
    sys.exit(main())
