"""The data routes as Litestar raw ASGI route handlers (issue 18).

`/{resource}` and `/rpc/{function}` are the hot path: every request of a cached
shape costs a parse, a dict lookup and the database round trips, so the
framework's own per-request work (a Request object, a signature model, the
handler stack's four extra coroutine frames that every database round trip
resumes, a Response object turned into an ASGIResponse, headers re-encoded)
was a third of the worker's CPU for a read by id. Here the handler reads what
`Gateway.handle` needs straight from the ASGI scope and sends the status, the
headers and the body Postgres built as two ASGI messages.

Litestar stays the framework: routing (static paths such as /openapi.json win
over /{resource}), CORS (its middleware answers preflights before routing),
the exception handlers (an ApiError raised here becomes the same JSON error)
and every other route are unchanged. What Litestar's HTTP route did for these
paths is kept: methods other than the route's are 405 PGRST117, OPTIONS
without CORS is 200 with `Allow` (PostgREST's status; Litestar's was 204), a body over the app's
`request_max_body_size` is 413, and `Content-Type: application/json` /
`Content-Length` are added as its response did.
"""

from __future__ import annotations

import math
from typing import Any

from litestar.exceptions import ClientException
from litestar.handlers import asgi
from litestar.types import Receive, Scope, Send

from gateway.errors import ApiError
from gateway.http.respond import Reply
from gateway.http.routes import Gateway

_ROWS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
_RPC = ("GET", "HEAD", "OPTIONS", "POST")
_NO_BODY = (204, 304)
_JSON = (b"content-type", b"application/json")


class RawHeaders:
    """The request headers as `Gateway.handle` reads them: ASGI servers give the
    names in lower case, values as bytes (latin-1, as Litestar decodes them)."""

    __slots__ = ("_pairs",)

    def __init__(self, pairs: list[tuple[bytes, bytes]]) -> None:
        self._pairs = pairs

    def get(self, name: str, default: str | None = None) -> str | None:
        key = name.encode()
        for k, v in self._pairs:
            if k == key:
                return v.decode("latin-1")
        return default

    def getall(self, name: str, default: list[str]) -> list[str]:
        key = name.encode()
        found = [v.decode("latin-1") for k, v in self._pairs if k == key]
        return found or default


class RawRequest:
    """What `Gateway.handle` needs of a request, read from the scope once."""

    __slots__ = ("scope", "method", "headers", "_receive")

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope: Any = scope
        self.method: str = scope["method"]  # type: ignore[typeddict-item]
        self.headers = RawHeaders(scope["headers"])  # type: ignore[typeddict-item]
        self._receive = receive

    @property
    def path(self) -> str:
        return self.scope.get("root_path", "") + self.scope["path"]

    async def body(self) -> bytes:
        """The whole body, at most the app's request_max_body_size (Litestar's 413)."""
        limit = self.scope["app"].request_max_body_size or math.inf
        announced = self.headers.get("content-length")
        if announced is not None and announced.isdigit() and int(announced) > limit:
            raise _too_large()
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await self._receive()
            if event["type"] == "http.disconnect":
                raise ClientException("client disconnected prematurely")
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large()
            chunks.append(chunk)
            if not event.get("more_body", False):
                return b"".join(chunks)


def _too_large() -> ClientException:
    # The same refusal Litestar's Request.body() raised (RequestEntityTooLarge),
    # mapped to our error shape by app.py's handler for HTTPException.
    return ClientException("Request Entity Too Large", status_code=413)


async def _serve(scope: Scope, receive: Receive, send: Send, *, rpc: bool) -> None:
    method = scope["method"]  # type: ignore[typeddict-item]
    allowed = _RPC if rpc else _ROWS
    if method not in allowed:
        if rpc and method in _ROWS:  # PostgREST's InvalidRpcMethod: a row method on a function
            raise ApiError(405, "PGRST101", f"Cannot use the {method} method on RPC")
        raise ApiError(405, "PGRST117", f"Unsupported HTTP method: {method}")
    if method == "OPTIONS":  # without Origin: CORS preflights are answered before routing
        # 200 and no body, as PostgREST's respondInfo (Response.hs), which clients probe.
        allow = ", ".join(allowed).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"allow", allow)]})
        await send({"type": "http.response.body", "body": b""})
        return
    gateway: Gateway = scope["app"].state.gateway  # type: ignore[index]
    target = scope["path_params"]["function" if rpc else "resource"]  # type: ignore[typeddict-item]
    reply = await gateway.handle(RawRequest(scope, receive), target, rpc=rpc)
    await send_reply(send, reply, head=method == "HEAD")


async def send_reply(send: Send, reply: Reply, *, head: bool) -> None:
    """Status and headers as Litestar's Response gave them, then the body."""
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    body = b"" if head or reply.status in _NO_BODY else reply.body
    if not head and reply.status not in _NO_BODY and reply.status >= 200:
        # An empty answer without a Content-Type keeps none (an empty 201, as
        # PostgREST); a body without one gets Litestar's default media type.
        if reply.body and "Content-Type" not in reply.headers:
            headers.append(_JSON)
        headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@asgi("/{resource:str}", copy_scope=False)
async def rows(scope: Scope, receive: Receive, send: Send) -> None:
    """Relations of the exposed schema: read, count (HEAD), create, upsert, update, delete."""
    await _serve(scope, receive, send, rpc=False)


@asgi("/rpc/{function:str}", copy_scope=False)
async def functions(scope: Scope, receive: Receive, send: Send) -> None:
    """Functions of the exposed schema: GET/HEAD for stable ones, POST for any."""
    await _serve(scope, receive, send, rpc=True)


data_routes = [rows, functions]


def index_path_parameters(app: Any) -> None:
    """Work around Litestar 2.25's router, which looks an ASGI route's path
    parameters up under the request's method (`node.path_parameters[method]`)
    while registering them under "asgi": without this every request to
    /{resource} is a KeyError (a 500). Copies the "asgi" entry to each method
    any method (the handler refuses the ones it does not serve with 405);
    called once, after the app is built."""
    pending = [app.asgi_router.root_route_map_node]
    while pending:
        node = pending.pop()
        pending.extend(node.children.values())
        if node.is_asgi and "asgi" in node.path_parameters:
            node.path_parameters = _AnyMethod(node.path_parameters)


class _AnyMethod(dict[str, Any]):
    def __missing__(self, method: str) -> Any:
        return self["asgi"]
