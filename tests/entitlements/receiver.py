"""A real HTTP receiver for webhooks on 127.0.0.1, served from a thread: it keeps every request
it is sent and answers with the status the test sets. And a server that is not HTTP at all."""

import json
import re
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class Receiver:
    def __init__(self):
        self.requests = []
        self.status = 204
        # Set when a request has arrived; clear ``answering`` to keep each request waiting for
        # its answer (10 seconds at most) until the test sets it again.
        self.arrived = threading.Event()
        self.answering = threading.Event()
        self.answering.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(Received(headers=dict(self.headers), body=body))
                receiver.arrived.set()
                receiver.answering.wait(10)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass  # keep the test output quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/entitlements"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class GarbageReceiver:
    """A server on 127.0.0.1 that reads each request whole and answers with a line that is not
    HTTP, as another kind of server on that port would (Redis answers ``-ERR …``)."""

    def __init__(self, answer=b"-ERR garbage\r\n"):
        self.answer = answer
        self.requests = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self):
        host, port = self.server.getsockname()[:2]
        return f"http://{host}:{port}/hooks/entitlements"

    def _serve(self):
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                self._read_request(connection)
                self.requests += 1
                connection.sendall(self.answer)

    @staticmethod
    def _read_request(connection):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"^content-length:\s*(\d+)", head, flags=re.IGNORECASE | re.MULTILINE)
        while length and len(body) < int(length.group(1)):
            chunk = connection.recv(65536)
            if not chunk:
                return
            body += chunk

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        self.server.close()
