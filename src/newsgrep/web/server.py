"""Running the web app: bind the address, say where it listens, serve until Ctrl-C.

The socket is bound here rather than by uvicorn, so a port in use is one
``newsgrep:`` line (exit 2) and ``--port 0`` picks a free port whose number
is then printed. Only the loopback address is bound unless ``--host`` says
otherwise, and then the announcement says who can read the index.
"""

from __future__ import annotations

import os
import socket
import threading
import webbrowser
from collections.abc import Callable

from newsgrep.errors import NewsgrepError

LOOPBACK = ("127.0.0.1", "::1", "localhost")
BACKLOG = 2048  # uvicorn's own default


class CannotListen(NewsgrepError):
    """The address given to ``serve`` cannot be bound."""


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` (0: any free port); CannotListen naming the address and the reason."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as e:
        raise CannotListen(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)  # now: a browser opened at once waits in the queue instead of being refused
    except OSError as e:
        sock.close()
        raise CannotListen(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    return sock


def address_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(location: str | os.PathLike, *, host: str, port: int, open_browser: bool, say: Callable[[str], None]) -> None:
    """Serve the index at ``location`` read-only on ``host``:``port`` until interrupted (Ctrl-C stops it cleanly)."""
    import uvicorn

    from newsgrep.web.app import create_app

    app = create_app(location)  # a missing or damaged index is reported before anything listens
    sock = listen(host, port)
    url = address_url(sock)
    reach = "this computer only" if host in LOOPBACK else "anyone who can reach this machine can read the index"
    say(f"serving {app.state.location} at {url} (read-only, {reach}; Ctrl-C stops)")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it caught, once it has shut down
        pass
    finally:
        sock.close()
    say("stopped")
