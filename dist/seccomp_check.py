#!/usr/bin/python3
"""Runs a command under the system call filter of the systemd units, without systemd.

The units allow @system-service and @pkey, minus @resources. This script builds the same allow
list (expanded by `systemd-analyze syscall-filter`, so it matches the systemd on this machine),
loads it with libseccomp and runs the command. With "kill", a call outside the list ends the
process with SIGSYS (exit status 159), so a run that passes proves the code stays inside the
list; with "eperm" the call fails with EPERM, as it does under the units.

Needs Debian's python3-seccomp and systemd (for systemd-analyze). Example:

    /usr/bin/python3 dist/seccomp_check.py kill deno test --allow-read --allow-write \
        --allow-env --allow-net=127.0.0.1,localhost src/store src/core src/fedi tests/mastodon
"""
import os
import subprocess
import sys

import seccomp


def expand(group, seen=None):
    """The system calls of a systemd group, its nested groups included."""
    seen = set() if seen is None else seen
    out = subprocess.run(
        ["systemd-analyze", "syscall-filter", group], capture_output=True, text=True, check=True
    ).stdout
    calls = set()
    for line in out.splitlines():
        item = line.strip()
        if not item or item.startswith("#") or item == group:
            continue
        if item.startswith("@"):
            if item not in seen:
                seen.add(item)
                calls |= expand(item, seen)
        else:
            calls.add(item)
    return calls


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("kill", "eperm"):
        sys.exit("usage: seccomp_check.py kill|eperm COMMAND [ARGS...]")
    allowed = (expand("@system-service") | expand("@pkey")) - expand("@resources")
    default = seccomp.KILL_PROCESS if sys.argv[1] == "kill" else seccomp.ERRNO(1)
    flt = seccomp.SyscallFilter(default)
    count = 0
    for name in sorted(allowed):
        try:
            flt.add_rule(seccomp.ALLOW, name)
            count += 1
        except (RuntimeError, ValueError):
            pass  # a call this libseccomp or architecture does not know
    print(f"seccomp_check: {count} system calls allowed, others: {sys.argv[1]}", file=sys.stderr)
    flt.load()
    os.execvp(sys.argv[2], sys.argv[2:])


main()
