"""Finding and resetting the connection of a stuck stream (lede/core/send_deadline.py).

The whole road, on granian and uvicorn: lede/livefeed/tests/test_slow_consumer.py."""

from __future__ import annotations

import socket
import struct

import pytest

from lede.core.send_deadline import RESET_ON_CLOSE, find_connection, reset_connection


def test_the_connection_is_found_from_the_scope_as_each_server_writes_it() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        accepted, _ = listener.accept()
        with client, accepted:
            host, client_port = client.getsockname()
            scopes = [
                ((host, client_port), ("127.0.0.1", port)),  # uvicorn
                ((host, str(client_port)), ("0.0.0.0", str(port))),  # granian, all addresses
                ((f"::ffff:{host}", client_port), ("127.0.0.1", port)),  # IPv4 in IPv6
            ]
            for peer, local in scopes:
                found = find_connection(peer, local)
                assert found is not None, (peer, local)
                with found:
                    assert found.getpeername() == client.getsockname()
                    # A duplicate: the server's own descriptor stays open.
                    assert found.fileno() != accepted.fileno()
            # Another port, another local address, a Unix socket's scope: none.
            assert find_connection((host, client_port + 1), ("127.0.0.1", port)) is None
            assert find_connection((host, client_port), ("127.0.0.2", port)) is None
            assert find_connection(None, None) is None
            assert find_connection(("", 0), ("", 0)) is None

            found = find_connection((host, client_port), ("127.0.0.1", port))
            assert found is not None
            with found:
                reset_connection(found)
            # On the server's socket itself: its close will send a reset.
            assert accepted.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8) == RESET_ON_CLOSE
            assert struct.unpack("ii", RESET_ON_CLOSE) == (1, 0)
            with pytest.raises(OSError):
                accepted.send(b"x")  # shut down: the server's next write fails
