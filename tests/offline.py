"""Run ``python -m geo`` with the network refused: ``python tests/offline.py export --out D``.

Name look-ups of any host but this one fail and connections go nowhere but to loopback or a
local socket; each refusal is reported on stderr as "network refused: HOST", so a test can
tell that a command needed no network (and forked workers inherit the guard).
"""

from __future__ import annotations

import socket
import sys

_LOCAL = {None, "localhost", "127.0.0.1", "::1", "", b"localhost"}
_getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect


def _refuse(what) -> None:
    sys.stderr.write(f"network refused: {what}\n")
    sys.stderr.flush()


def getaddrinfo(host, *args, **kwargs):
    if host in _LOCAL:
        return _getaddrinfo(host, *args, **kwargs)
    _refuse(host)
    raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known (tests/offline.py refused {host})")


def connect(self, address):
    if self.family == getattr(socket, "AF_UNIX", None) or (isinstance(address, tuple) and address[0] in _LOCAL):
        return _connect(self, address)
    _refuse(address)
    raise OSError(101, "Network is unreachable (tests/offline.py)")


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect

if __name__ == "__main__":
    from geo.cli import main

    sys.exit(main(sys.argv[1:]))
