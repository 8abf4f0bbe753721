#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person at a terminal would.

    pty-run.py [--stderr FILE] TRANSCRIPT STEP... -- CMD [ARG...]

The command gets a new pseudo-terminal as its controlling terminal, its
standard input and output (and its standard error, unless --stderr sends
that to FILE).  The steps, in order:

    expect REGEX   wait (at most 30 s) for REGEX in what the command wrote
                   since the last match
    send TEXT      type TEXT (Python escapes: \\n Enter, \\x03 Ctrl-C)
    echo on|off    the terminal's echo must be so now

Everything the command wrote goes to TRANSCRIPT.  Exits with the command's
status (128 + N when signal N ended it), or 99 when a step failed; then the
terminal's echo must be on again, whatever ended the command (else 98).
"""
import os
import pty
import re
import select
import sys
import termios
import time

TIMEOUT = 30.0


def die(code, msg, transcript, out):
    with open(transcript, "wb") as f:
        f.write(out)
    sys.stderr.write("pty-run: %s\n" % msg)
    sys.exit(code)


def read_some(fd, out, until):
    """Appends what the command wrote before time until; False at its end."""
    left = until - time.monotonic()
    if left <= 0:
        return True
    r, _, _ = select.select([fd], [], [], left)
    if not r:
        return True
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    if not data:
        return False
    out += data
    return True


def main(argv):
    errfile = None
    if len(argv) > 2 and argv[0] == "--stderr":
        errfile = argv[1]
        argv = argv[2:]
    if "--" not in argv or len(argv) < 3:
        sys.exit(__doc__)
    sep = argv.index("--")
    transcript, steps, cmd = argv[0], argv[1:sep], argv[sep + 1:]
    if len(steps) % 2 != 0:
        sys.exit("pty-run: each step takes one argument")
    pid, fd = pty.fork()
    if pid == 0:
        if errfile is not None:
            e = os.open(errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(e, 2)
            os.close(e)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    out = bytearray()
    seen = 0
    alive = True
    for i in range(0, len(steps), 2):
        op, arg = steps[i], steps[i + 1]
        if op == "expect":
            pat = re.compile(arg.encode())
            until = time.monotonic() + TIMEOUT
            while True:
                m = pat.search(out, seen)
                if m:
                    seen = m.end()
                    break
                if not alive or time.monotonic() >= until:
                    die(99, "no %r within %d s; the command wrote: %r" %
                        (arg, TIMEOUT, bytes(out[seen:])), transcript, out)
                alive = read_some(fd, out, until)
        elif op == "send":
            os.write(fd, arg.encode().decode("unicode_escape")
                     .encode("latin-1"))
        elif op == "echo":
            on = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
            if on != (arg == "on"):
                die(99, "echo is %s, expected %s" %
                    ("on" if on else "off", arg), transcript, out)
        else:
            die(99, "unknown step %r" % op, transcript, out)
    until = time.monotonic() + TIMEOUT
    while alive and time.monotonic() < until:
        alive = read_some(fd, out, until)
    # the pseudo-terminal's settings outlive the command while fd is open
    echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    _, status = os.waitpid(pid, 0)
    with open(transcript, "wb") as f:
        f.write(out)
    if not echo:
        sys.stderr.write("pty-run: the command left echo off\n")
        sys.exit(98)
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main(sys.argv[1:])
