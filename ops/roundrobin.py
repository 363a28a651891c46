"""A round-robin TCP proxy for ops/cluster.py: each connection to LISTEN goes to the next of
the BACKENDs in turn, bytes copied both ways until either side closes. Nothing else (no health
checks, no retries): the cluster shows what the web hosts answer, not what a proxy hides.

    python ops/roundrobin.py 10.213.0.10:8000 10.213.0.11:8000 10.213.0.12:8000
"""

import asyncio
import itertools
import sys


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _serve(listen: tuple[str, int], backends: list[tuple[str, int]]) -> None:
    turn = itertools.cycle(backends)

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        host, port = next(turn)
        try:
            backend_r, backend_w = await asyncio.open_connection(host, port)
        except OSError:
            client_w.close()  # the client sees the connection closed, as with no proxy
            return
        await asyncio.gather(_pipe(client_r, backend_w), _pipe(backend_r, client_w))

    server = await asyncio.start_server(handle, *listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    listen, *backends = sys.argv[1:]
    asyncio.run(_serve(_address(listen), [_address(b) for b in backends]))
