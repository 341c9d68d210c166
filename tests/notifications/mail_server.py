"""A mail server on 127.0.0.1 that speaks as much SMTP as Django's backend uses, and keeps what
it is sent, so the email task is tested against a real server over a real socket.

It can be told to misbehave as real servers do: refuse an address for good (550) or for now
(450, once), hang up on a connection as soon as it is made, or hang up in the middle of a
message to one address.
"""

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    """One message the server accepted: its envelope and its text."""

    sender: str
    recipients: list[str]
    data: str


@dataclass
class MailServer:
    refused: set[str] = field(default_factory=set)  # 550 for good
    refused_once: set[str] = field(default_factory=set)  # 450 the first time, then accepted
    hang_up_at: set[str] = field(default_factory=set)  # drop the line at RCPT, once each
    hang_up_on_connect: int = 0  # this many connections closed at once, before the greeting

    received: list[Received] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 10

            def handle(self):
                owner._converse(self)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def __enter__(self):
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def to(self, address):
        """The messages delivered to ``address``."""
        return [message for message in self.received if address in message.recipients]

    def _converse(self, handler):
        def reply(line):
            handler.wfile.write(line.encode() + b"\r\n")
            handler.wfile.flush()

        with self._lock:
            self.connections += 1
            if self.hang_up_on_connect > 0:
                self.hang_up_on_connect -= 1
                return
        reply("220 mail.test ESMTP")
        sender, recipients = "", []
        while True:
            line = handler.rfile.readline()
            if not line:
                return
            command, _, argument = line.decode().rstrip("\r\n").partition(" ")
            command = command.upper()
            if command in ("EHLO", "HELO"):
                reply("250 mail.test")
            elif command == "MAIL":
                sender, recipients = _address(argument), []
                reply("250 2.1.0 OK")
            elif command == "RCPT":
                address = _address(argument)
                with self._lock:
                    hang_up = address in self.hang_up_at
                    self.hang_up_at.discard(address)
                    for_now = address in self.refused_once
                    self.refused_once.discard(address)
                if hang_up:
                    return
                if address in self.refused:
                    reply("550 5.1.1 No such mailbox")
                elif for_now:
                    reply("450 4.2.1 Mailbox busy, try again later")
                else:
                    recipients.append(address)
                    reply("250 2.1.5 OK")
            elif command == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := handler.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data.decode().removeprefix("."))
                with self._lock:
                    self.received.append(Received(sender, recipients, "".join(lines)))
                reply("250 2.0.0 Queued")
            elif command == "RSET":
                sender, recipients = "", []
                reply("250 2.0.0 OK")
            elif command == "NOOP":
                reply("250 2.0.0 OK")
            elif command == "QUIT":
                reply("221 2.0.0 Bye")
                return
            else:
                reply("502 5.5.2 Command not recognised")


def _address(argument):
    """The address in ``FROM:<a@b>`` or ``TO:<a@b>``, without its options."""
    return argument.partition(":")[2].split(">")[0].strip().lstrip("<")
