"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests, in a thread with its own event loop.

::

    with SmtpServer() as server:                         # plain SMTP, ephemeral port
        ... send to 127.0.0.1:server.port ...
        server.messages                                  # [Received], in arrival order
    SmtpServer(starttls=certs.server_context(), users={"cw": "pw"})   # STARTTLS required + AUTH
    SmtpServer(implicit_tls=certs.server_context())      # TLS from the first byte
    server.replies.append("451 4.3.0 Try again later")   # the next DATA is answered with this
    server.on_data = callback                            # runs on each message before the reply
    server.refused_recipients["x@example.org"] = "550 5.1.1 No such user"  # RCPT answered so

A reply of 4xx/5xx means the message was not accepted: it is counted in ``data_attempts`` but
not kept in ``messages``. ``closed_port()`` gives a port on which connections are refused, for
"the server is down" (start a server on it later with ``SmtpServer(port=...)``).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One accepted message: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class Certificates:
    """A throwaway CA (trustme) and a server certificate for 127.0.0.1 and localhost."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        return context

    def write_ca(self, path: Path) -> Path:
        self.ca.cert_pem.write_to_path(str(path))
        return path


def closed_port() -> socket.socket:
    """A bound, not listening socket: connecting to its port is refused. Close it to free it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    return sock


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return self.owner.accept(session, envelope)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if (reply := self.owner.refused_recipients.get(address)) is not None:
            return reply
        envelope.rcpt_tos.append(address)  # what aiosmtpd does without this hook
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"


class SmtpServer:
    """aiosmtpd in a background thread; see the module docstring."""

    def __init__(
        self,
        *,
        port: int = 0,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        users: dict[str, str] | None = None,
    ) -> None:
        self._port = port
        self._starttls = starttls
        self._implicit_tls = implicit_tls
        self._users = users
        self._lock = threading.Lock()
        self._messages: list[Received] = []
        self.replies: list[str] = []  # answers for the next DATA commands, in order
        self.refused_recipients: dict[str, str] = {}  # address -> the answer to its RCPT
        self.data_attempts = 0
        self.on_data: Callable[[Received], None] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> SmtpServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self._server = future.result(timeout=10)
        return self

    async def _listen(self) -> asyncio.AbstractServer:
        return await self._loop.create_server(
            self._protocol, HOST, self._port, ssl=self._implicit_tls, reuse_address=True
        )

    def _protocol(self) -> SMTP:
        return SMTP(
            _Handler(self),
            hostname="smtp.test",
            tls_context=self._starttls,
            require_starttls=self._starttls is not None,
            auth_required=self._users is not None,
            authenticator=self._authenticate if self._users is not None else None,
            loop=self._loop,
        )

    def stop(self) -> None:
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    # ---- the conversation --------------------------------------------------------------

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert self._users is not None
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        if self._users.get(login) != password:
            return AuthResult(success=False, handled=False)  # aiosmtpd answers 535
        return AuthResult(success=True, auth_data=login)

    def accept(self, session: Session, envelope: Envelope) -> str:
        """Answer one DATA: a queued reply if any, else keep the message and say 250."""
        with self._lock:
            self.data_attempts += 1
            reply = self.replies.pop(0) if self.replies else None
        if reply is not None and not reply.startswith("2"):
            return reply
        content = envelope.original_content or b""
        received = Received(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=content if isinstance(content, bytes) else content.encode(),
            tls=session.ssl is not None,
            login=session.auth_data if isinstance(session.auth_data, str) else None,
        )
        with self._lock:
            self._messages.append(received)
        if self.on_data is not None:
            self.on_data(received)
        return reply or "250 2.0.0 OK"

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    def message_ids(self) -> list[str]:
        return [str(m.message["Message-ID"]) for m in self.messages]
