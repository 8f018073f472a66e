#!/usr/bin/env python3
"""tests/integration/tls_proxy.py: a TCP proxy in front of a real TLS server
that watches what a scanner does, or misbehaves on purpose.

  tls_proxy.py LISTEN_ADDR LISTEN_PORT SERVER_ADDR SERVER_PORT MODE SECONDS LOG

Modes:
  watch         forward everything; log each connection's first client
                record (the ClientHello) and the server's first bytes, hex
  stall:N       forward the first N connections; from then on accept and
                stay silent (a server that stops answering mid-scan)
  choke:BYTES   close at once any connection whose first client record is
                longer than BYTES (a server that chokes on big hellos);
                forward the others

The log (JSON Lines) holds, per connection, a line {"n": N, "event":
"accept"} written as it is accepted (so a count of connections is exact at
once), and a line written as it ends with: its number, whether it was forwarded, the ClientHello record and the server's
first 4096 bytes (hex), and how many client connections were open once its
ClientHello was in (the client's close ends one; the count is taken after a
short pause, so a close sent before this connection began is counted as
such). The proxy exits after SECONDS, so a test that loses it leaves nothing
running long; every read is bounded in size and time.
"""
import asyncio
import json
import sys

READ = 65536
KEEP = 4096


class Proxy:
    def __init__(self, server, mode, log):
        self.server = server
        self.kind, _, arg = mode.partition(":")
        self.arg = int(arg) if arg else 0
        self.log = open(log, "a", encoding="utf-8")
        self.count = 0
        self.open = 0

    async def first_record(self, reader):
        """The client's first TLS record, whole (or what came before EOF)."""
        data = b""
        while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
            chunk = await asyncio.wait_for(reader.read(READ), 10)
            if not chunk:
                break
            data += chunk
            if len(data) > 20000:
                break
        return data

    async def pipe(self, reader, writer, keep=None, on_end=None):
        try:
            while True:
                chunk = await asyncio.wait_for(reader.read(READ), 30)
                if not chunk:
                    break
                if keep is not None and len(keep[0]) < KEEP:
                    keep[0] += chunk[: KEEP - len(keep[0])]
                writer.write(chunk)
                await writer.drain()
        except (OSError, asyncio.TimeoutError):
            pass
        finally:
            if on_end is not None:
                on_end()
            try:
                writer.close()
            except OSError:
                pass

    async def handle(self, creader, cwriter):
        self.count += 1
        self.open += 1
        n = self.count
        self.log.write(json.dumps({"n": n, "event": "accept"}) + "\n")
        self.log.flush()
        client_open = [True]

        def client_closed():
            if client_open[0]:
                client_open[0] = False
                self.open -= 1

        entry = {"n": n, "forwarded": False}
        try:
            if self.kind == "stall" and n > self.arg:
                await asyncio.sleep(60)
                return
            hello = await self.first_record(creader)
            entry["client_hello"] = hello.hex()
            if not hello:
                return
            await asyncio.sleep(0.05)  # let earlier connections' closes be read
            entry["open_with_hello"] = self.open
            if self.kind == "choke" and len(hello) > self.arg:
                return
            sreader, swriter = await asyncio.open_connection(*self.server)
            entry["forwarded"] = True
            swriter.write(hello)
            await swriter.drain()
            keep = [b""]
            await asyncio.gather(self.pipe(creader, swriter, on_end=client_closed),
                                 self.pipe(sreader, cwriter, keep))
            entry["server_bytes"] = keep[0].hex()
        except (OSError, asyncio.TimeoutError):
            pass
        finally:
            client_closed()
            try:
                cwriter.close()
            except OSError:
                pass
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()


async def main():
    laddr, lport, saddr, sport, mode, seconds, log = sys.argv[1:8]
    proxy = Proxy((saddr, int(sport)), mode, log)
    server = await asyncio.start_server(proxy.handle, laddr, int(lport))
    print("listening", flush=True)
    async with server:
        await asyncio.sleep(float(seconds))


if __name__ == "__main__":
    asyncio.run(main())
