"""Imported first by a child process under test: every address but loopback is refused, and logged.

An audit hook (PEP 578) sees every socket connect and every name lookup, whoever
makes it (Twisted, requests, urllib, a library's own downloader). The log file named
by GOVFRESH_NETGUARD_LOG lists each attempt, so a test can say "nothing else was asked".
"""
import os
import socket
import sys

_LOG = os.environ["GOVFRESH_NETGUARD_LOG"]


def _loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return host is None or (isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1")))


def _refuse(what: str, exc: Exception) -> None:
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(what + "\n")
    raise exc


def _hook(event: str, args: tuple) -> None:
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else None
        if isinstance(address, tuple) and not _loopback(host):
            _refuse(f"connect {address!r}", ConnectionRefusedError(f"netguard: {address!r}"))
    elif event == "socket.getaddrinfo" and not _loopback(args[0]):
        _refuse(f"getaddrinfo {args[0]!r}", socket.gaierror(f"netguard: {args[0]!r}"))


sys.addaudithook(_hook)
