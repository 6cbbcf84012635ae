#!/usr/bin/env python3
"""Process-level measurements of terminal programs in a pseudo-terminal.

Each program is started in a fresh 100x30 pty, the way a person starts it in
a terminal, and measured from fork to the first screen that shows MARKER
(default "Step 1 of"). The programs are measured interleaved in one run (the
order rotates from run to run), so that a busy machine slows them alike.

Rows (docs/benchmarks.md holds a table of them and the commands):
  silent    first frame in a terminal that answers no queries (no reply to
            OSC 11 "background colour?" nor to the cursor-position query;
            some CI terminals, serial consoles, multiplexers)
  answered  first frame in a terminal that answers the queries like xterm
  queries   how many background-colour queries (OSC 11) the program sent
            before its first frame (silent runs)
  rss       peak resident set (VmHWM) at the first frame (answered runs)
  size      the size of the file given (build it stripped to compare)
  key       keystroke to screen: an arrow key is written to the terminal,
            the time until the program's next output, median over KEYS
            keystrokes per answered run (up and down alternate on a select)
  idle      wakeups per second on a still screen: the context switches of
            all the program's threads over IDLE seconds, after a settle

Usage:
  firstframe.py [--runs N] [--silent-runs N] [--keys N] [--idle S]
                [--marker TEXT] NAME=PATH[,ARG...] ...
The ratios compare each program with the one named "minimal" (else the
last one). docs/benchmarks.md has the command that builds and measures
cewiz, the minimal form (tui/testdata/minimalform) and gum.
"""
import argparse
import fcntl
import os
import select
import shutil
import signal
import statistics
import struct
import sys
import termios
import time

OSC11 = b"\x1b]11;?"
HOME = "/tmp/ffhome"
DSR = b"\x1b[6n"


class Child:
    """A program in a fresh pty of its own (session leader, controlling tty)."""

    def __init__(self, argv, term):
        # A home of its own, and a TMPDIR the harness empties: --sandbox
        # leaves a directory per run there.
        env = dict(os.environ, TERM=term, HOME=HOME, XDG_CONFIG_HOME=HOME + "/.config",
                   TMPDIR=HOME + "/tmp", BROWSER="true")
        for k in ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT", "NO_COLOR", "COLORFGBG",
                  "TMUX", "TERM_PROGRAM", "COLORTERM"):
            env.pop(k, None)
        master, slave = os.openpty()
        # The size is set before the program starts, so it reads 100x30.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(master)
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                if slave > 2:
                    os.close(slave)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        os.close(slave)
        self.pid, self.fd = pid, master
        self.buf = b""

    def read(self, timeout):
        """Reads what the program wrote within timeout seconds (b"" if nothing)."""
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return b""
        self.buf += data
        return data

    def drain(self, seconds):
        end = time.perf_counter() + seconds
        n = 0
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                return n
            n += len(self.read(left))

    def status(self, field):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def switches(self):
        """Voluntary plus involuntary context switches of every thread."""
        total = 0
        for tid in os.listdir(f"/proc/{self.pid}/task"):
            try:
                with open(f"/proc/{self.pid}/task/{tid}/status") as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def first_frame(child, marker, answer, limit=30.0):
    """Seconds from fork to marker on the screen, or None after limit."""
    answered = dsr = 0
    while True:
        left = limit - (time.perf_counter() - child.t0)
        if left <= 0:
            return None
        if not child.read(left):
            continue
        if answer:
            # Answer each query once, like xterm (black background).
            while child.buf.count(OSC11) > answered:
                os.write(child.fd, b"\x1b]11;rgb:0000/0000/0000\x1b\\")
                answered += 1
            while child.buf.count(DSR) > dsr:
                os.write(child.fd, b"\x1b[1;1R")
                dsr += 1
        if marker in child.buf:
            return time.perf_counter() - child.t0


def keystrokes(child, n):
    """Milliseconds from writing an arrow key to the program's next output."""
    child.drain(0.3)
    out = []
    for i in range(n):
        os.write(child.fd, b"\x1b[B" if i % 2 == 0 else b"\x1b[A")
        t = time.perf_counter()
        if child.read(2.0):
            out.append((time.perf_counter() - t) * 1000)
        child.drain(0.05)
    return out


def idle(child, seconds):
    """Context switches per second on a still screen, and bytes written."""
    child.drain(1.0)
    before = child.switches()
    written = child.drain(seconds)
    return (child.switches() - before) / seconds, written


def parse_program(spec):
    name, _, rest = spec.partition("=")
    parts = rest.split(",")
    return name, [parts[0]] + parts[1:]


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15, help="answered runs per program")
    ap.add_argument("--silent-runs", type=int, default=3, help="silent runs per program")
    ap.add_argument("--keys", type=int, default=20, help="keystrokes per answered run")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of still screen (0: skip)")
    ap.add_argument("--term", default="xterm-256color")
    ap.add_argument("--marker", default="Step 1 of")
    ap.add_argument("programs", nargs="+", help="NAME=PATH[,ARG...]")
    args = ap.parse_args()
    shutil.rmtree(HOME, ignore_errors=True)
    os.makedirs(HOME + "/tmp")
    marker = args.marker.encode()
    progs = [parse_program(p) for p in args.programs]
    res = {name: {"silent": [], "answered": [], "queries": [], "rss": [], "key": [], "idle": [], "idle_bytes": []}
           for name, _ in progs}

    def one(name, argv, answer, keys=0):
        c = Child(argv, args.term)
        try:
            t = first_frame(c, marker, answer)
            if t is None:
                print(f"{name}: no first frame; last output: {c.buf[-300:]!r}", file=sys.stderr)
                return
            r = res[name]
            if answer:
                r["answered"].append(t * 1000)
                r["rss"].append(c.status("VmHWM") / 1024)
                if keys:
                    r["key"].extend(keystrokes(c, keys))
            else:
                r["silent"].append(t * 1000)
                r["queries"].append(c.buf.count(OSC11))
        finally:
            c.kill()

    for i in range(max(args.runs, args.silent_runs)):
        order = progs[i % len(progs):] + progs[:i % len(progs)]
        for name, argv in order:
            if i < args.runs:
                one(name, argv, True, args.keys)
            if i < args.silent_runs:
                one(name, argv, False)
    if args.idle > 0:
        for name, argv in progs:
            c = Child(argv, args.term)
            try:
                if first_frame(c, marker, True) is not None:
                    per_s, written = idle(c, args.idle)
                    res[name]["idle"].append(per_s)
                    res[name]["idle_bytes"].append(written)
            finally:
                c.kill()

    names = [n for n, _ in progs]
    base = "minimal" if "minimal" in names else names[-1]
    sizes = {n: os.path.getsize(argv[0]) / 1e6 for n, argv in progs}
    rows = [
        ("first frame, terminal answers no queries (ms, median)", lambda n: med(res[n]["silent"]), "{:.1f}"),
        ("background-colour queries before the first frame", lambda n: max(res[n]["queries"], default=float("nan")), "{:.0f}"),
        ("first frame, queries answered (ms, median)", lambda n: med(res[n]["answered"]), "{:.1f}"),
        ("peak RSS at first frame (MB, median)", lambda n: med(res[n]["rss"]), "{:.1f}"),
        ("binary (MB)", lambda n: sizes[n], "{:.2f}"),
        ("keystroke to screen (ms, median)", lambda n: med(res[n]["key"]), "{:.1f}"),
        ("wakeups per second, still screen", lambda n: med(res[n]["idle"]), "{:.1f}"),
    ]
    others = [n for n in names if n != base]
    head = "| | " + " | ".join(names) + " | " + " | ".join(f"{n} / {base}" for n in others) + " |"
    print(f"runs: {args.runs} answered, {args.silent_runs} silent, {args.keys} keys per run, "
          f"{args.idle:g} s idle; TERM={args.term}; 100x30 pty")
    print(head)
    print("|" + "---|" * (1 + len(names) + len(others)))
    for label, f, fmt in rows:
        vals = {n: f(n) for n in names}
        cells = [fmt.format(vals[n]) for n in names]
        ratios = []
        for n in others:
            b = vals[base]
            ratios.append(f"{vals[n] / b:.2f}×" if b and b == b and vals[n] == vals[n] else "–")
        print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    sys.stdout.flush()
    for n in names:
        r = res[n]
        if r["answered"]:
            print(f"{n}: answered min {min(r['answered']):.1f} max {max(r['answered']):.1f} ms; "
                  f"silent {['%.0f' % x for x in r['silent']]} ms; idle bytes written {r['idle_bytes']}",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
