#!/usr/bin/env python3
"""Runs a command and reports its peak memory, sampled every 20 ms over the command and every
process it started (reader processes included):
  - the tree's proportional set size (PSS): the physical memory the tree uses, each shared page
    (the Swift runtime, Foundation, poppler, tesseract mapped into every process) counted once;
  - the tree's summed resident size (RSS), which counts those shared pages once per process;
  - the command's own process's resident size.
Usage: peak_rss.py REPORT_FILE COMMAND [ARGS...]
Writes "<tree PSS MiB> <tree RSS MiB> <own RSS MiB> <seconds>" to REPORT_FILE; exits with the command's status."""
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

def memory_kb(pid):
    """(Pss, Rss) in kB, from smaps_rollup."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss

report, command = sys.argv[1], sys.argv[2:]
start = time.time()
proc = subprocess.Popen(command)
tree_pss = tree_rss = own_rss = 0
while proc.poll() is None:
    pids, todo = [], [proc.pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += children(p)
    sizes = [memory_kb(p) for p in pids]
    tree_pss = max(tree_pss, sum(s[0] for s in sizes))
    tree_rss = max(tree_rss, sum(s[1] for s in sizes))
    own_rss = max(own_rss, sizes[0][1])
    time.sleep(0.02)
elapsed = time.time() - start
with open(report, "w") as f:
    f.write(f"{tree_pss / 1024:.0f} {tree_rss / 1024:.0f} {own_rss / 1024:.0f} {elapsed:.3f}\n")
sys.exit(proc.returncode)
