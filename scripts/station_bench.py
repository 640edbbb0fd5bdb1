#!/usr/bin/env python3
"""make bench: the workstation's pages over a large registry, as staff would open them.

station_bench.py URL NAME PASSWORD PROBES_FILE  signs in as NAME, then opens the review queue and
searches for each probe (companies' words and WCB accounts), each several times, and prints the
median, 95th percentile and slowest answer of each page in milliseconds. Nothing is asserted.
"""
import http.client, re, statistics, sys, time, urllib.parse

url, name, password, probes_file = sys.argv[1:5]
host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
conn = http.client.HTTPConnection(host, port, timeout=30)
cookie = ""

def get(path):
    global cookie
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    r = conn.getresponse(); body = r.read()
    c = r.getheader("Set-Cookie")
    if c: cookie = c.split(";")[0]
    return r.status, body.decode("utf-8", "replace")

def post(path, fields):
    global cookie
    conn.request("POST", path, body=urllib.parse.urlencode(fields),
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse(); r.read()
    c = r.getheader("Set-Cookie")
    if c: cookie = c.split(";")[0]
    return r.status

for _ in range(100):   # the server may still be starting
    try:
        status, page = get("/signin"); break
    except OSError:
        conn.close(); time.sleep(0.2)
else:
    sys.exit("the station did not answer")
token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
if post("/signin", {"csrf": token, "name": name, "password": password}) != 303:
    sys.exit("sign-in refused")

def timed(path, turns):
    times = []
    for _ in range(turns):
        t0 = time.perf_counter(); status, body = get(path); times.append((time.perf_counter() - t0) * 1000)
        if status != 200: sys.exit(f"{path}: {status}")
    return times, body

probes = [p.strip() for p in open(probes_file) if p.strip()]
queue, body = timed("/queue", 30)
search = []
for p in probes:
    t, _ = timed("/search?q=" + urllib.parse.quote(p), 3); search += t
ids = re.findall(r'href="/applications/([^"/]+)/verify"', body)[:10]
verify = []
for i in ids:
    t, _ = timed(f"/applications/{i}/verify", 2); verify += t

def line(label, times):
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"  {label:<34} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   slowest {times[-1]:6.1f} ms"
          f"   ({len(times)} answers)   {'met' if p95 < 100 else 'NOT met'} (aim: under 100 ms)")

line("review queue (/queue)", queue)
line(f"search ({len(probes)} companies, accounts)", search)
if verify: line("verification page (/verify)", verify)
