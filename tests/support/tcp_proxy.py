"""A TCP proxy on a loopback port that can be cut, frozen and restored, so a test can take
a server away from the app (and give it back) without touching the shared server.

- ``stop()`` is a server going down: live connections are cut and new ones refused.
- ``freeze()`` is a server that hangs (SIGSTOP, a full disk under Redis): connections are
  still accepted and bytes still arrive, but nothing is forwarded and nothing answers
  until ``thaw()``, which delivers what was held, as a resumed server would.

``connections`` and ``bytes_received`` count what clients sent to the proxy, so a test
can assert that an app stopped asking, without measuring time.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

from scripts.loopback import free_port


class TCPProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.connections = 0  # accepted from clients, in every state
        self.bytes_received = 0  # from clients, including bytes held while frozen
        self._listener: socket.socket | None = None
        self._live: set[socket.socket] = set()
        self._held: dict[socket.socket, list[bytes]] = {}  # sink -> bytes not yet sent
        self._frozen = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Listen again on the same port."""
        self._listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut every live one, as a server going down would."""
        if self._listener is not None:
            _close(self._listener)  # shutting it down wakes the blocked accept()
            self._listener = None
        with self._lock:
            live, self._live = self._live, set()
            self._held.clear()
        for sock in live:
            _close(sock)

    def freeze(self) -> None:
        """Keep accepting and reading, forward nothing: a server that stopped answering."""
        with self._lock:
            self._frozen = True

    def thaw(self) -> None:
        """Forward again, starting with what was held (to sockets that are still open)."""
        with self._lock:  # held while flushing, so newer bytes cannot overtake older ones
            self._frozen = False
            for sink, chunks in self._held.items():
                with suppress(OSError):
                    sink.sendall(b"".join(chunks))
            self._held.clear()

    def traffic(self) -> tuple[int, int]:
        """(connections accepted, bytes received from clients) so far."""
        with self._lock:
            return self.connections, self.bytes_received

    def __enter__(self) -> TCPProxy:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            with self._lock:
                self.connections += 1
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._live |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pipe, args=(source, sink, source is client), daemon=True
                ).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                with self._lock:
                    if from_client:
                        self.bytes_received += len(data)
                    if self._frozen:
                        self._held.setdefault(sink, []).append(data)
                        continue
                sink.sendall(data)
        with self._lock:
            self._live -= {source, sink}
            self._held.pop(sink, None)
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
