#!/usr/bin/env python3
"""Runs a command and reports its peak memory: the largest sum of resident memory over the
command and every process it started (reader processes included), sampled every 20 ms, and
the peak of the command's own process. Usage: peak_rss.py REPORT_FILE COMMAND [ARGS...]
Writes "<tree peak MiB> <own peak MiB> <seconds>" to REPORT_FILE; exits with the command's status."""
import os, subprocess, sys, time

def children(pid):
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out

def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

report, command = sys.argv[1], sys.argv[2:]
start = time.time()
proc = subprocess.Popen(command)
tree_peak = 0
while proc.poll() is None:
    pids, todo = [], [proc.pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += children(p)
    tree_peak = max(tree_peak, sum(rss_kb(p) for p in pids))
    time.sleep(0.02)
elapsed = time.time() - start
own_peak = __import__("resource").getrusage(__import__("resource").RUSAGE_CHILDREN).ru_maxrss
with open(report, "w") as f:
    f.write(f"{tree_peak / 1024:.0f} {own_peak / 1024:.0f} {elapsed:.3f}\n")
sys.exit(proc.returncode)
