"""A request-handling loop for the overhead benchmark: parses JSON, builds responses,
keeps a bounded cache, formats log lines. Prints {"ops", "seconds"} of its timed part.

usage: workload.py [alloc|service|cpu] [SECONDS]

alloc: requests back to back (the worst case: all allocation, no waiting);
service: the same requests, each followed by 0.2 ms of waiting (as on I/O);
cpu: integer arithmetic, few allocations beyond small ints.
"""
import json
import random
import sys
import time
from collections import OrderedDict

kind = sys.argv[1] if len(sys.argv) > 1 else "alloc"
duration = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
rng = random.Random(42)
cache = OrderedDict()
REQUEST = json.dumps({"user": 123, "items": [{"sku": "a%d" % i, "qty": i} for i in range(20)], "note": "x" * 200})


def handle_request(n):
    request = json.loads(REQUEST)
    total = sum(item["qty"] for item in request["items"])
    key = rng.randrange(5000)
    if key not in cache:
        cache[key] = {"user": request["user"], "total": total, "tags": ["t%d" % i for i in range(10)]}
        if len(cache) > 2000:
            cache.popitem(last=False)
    response = json.dumps({"ok": True, "total": total, "cached": cache[key]["total"]})
    return "%s handled #%d -> %s" % (time.strftime("%H:%M:%S"), n, response)


def compute(n):
    value = n
    for i in range(300):
        value = (value * 1103515245 + 12345) & 0x7FFFFFFF
    return value


def serve(n):
    handle_request(n)
    time.sleep(0.0002)


work = {"alloc": handle_request, "service": serve, "cpu": compute}[kind]
ops = 0
started = time.perf_counter()
deadline = started + duration
while True:
    for _ in range(100):
        work(ops)
        ops += 1
    if time.perf_counter() >= deadline:
        break
print(json.dumps({"ops": ops, "seconds": time.perf_counter() - started}))
