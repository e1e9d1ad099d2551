"""Who may see the web view.

- A **one-time token**, made when the hub starts and printed by ``settlenet up`` in the URL
  (``https://127.0.0.1:PORT/?token=…``, as notebook servers do): the first request carrying it
  gets an HttpOnly session cookie and is redirected to the same page without the token; the
  token is then spent, and a second use is refused.
- The **session cookie** it was exchanged for: good for 12 hours, signed with a key derived
  from the hub's TLS key (so a restarted hub, or another process of the same hub, accepts it;
  without TLS the key is random and dies with the process). The token itself is made anew at
  each start.
- The **operator's client certificate** (``DIR/tls/operator.pem``, common name ``operator``,
  issued by the network's CA) presented over TLS: for scripts, e.g.
  ``curl --cacert DIR/tls/ca.pem --cert DIR/tls/operator.pem --key DIR/tls/operator.key
  https://127.0.0.1:PORT/api/network``. The web port asks for a client certificate but does not
  require one (a browser has none); a certificate the CA did not sign fails the handshake.

Anything else gets 401 and a plain page saying how to get in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

COOKIE = "settlenet_web"
PEER_KEY = "settlenet_peer_cn"
"""Where the TLS client certificate's common name is put in the ASGI scope's extensions."""
OPERATOR = "operator"
SESSION_S = 12 * 3600
"""How long a session cookie is good for."""


def session_key(secret: bytes) -> bytes:
    """The key session cookies are signed with, derived from a secret every process of one hub
    shares (its TLS key): the processes of a scaled-out hub accept each other's cookies, and a
    restarted hub still accepts the ones it made."""
    return hashlib.sha256(b"settlenet web session\0" + secret).digest()


@dataclass
class Access:
    secure: bool
    """HTTPS: the cookie is Secure, and the operator's certificate is accepted."""
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    """Signs the session cookies (:func:`session_key`; random when the hub has no TLS key)."""
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    spent: bool = False

    def exchange(self, offered: str, now_s: float) -> str | None:
        """A new session cookie for the token, once; None when it is wrong or was used."""
        if self.spent or not hmac.compare_digest(offered.encode(), self.token.encode()):
            return None
        self.spent = True
        body = f"{int(now_s) + SESSION_S}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    def _sign(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def who(self, cookie: str | None, peer_cn: str | None, now_s: float) -> str | None:
        """ "session" or "operator" when the request may see the view, else None."""
        if self.secure and peer_cn == OPERATOR:
            return OPERATOR
        if not cookie or cookie.count(".") != 2:
            return None
        body, _, sig = cookie.rpartition(".")
        expires = body.split(".", 1)[0]
        if not expires.isdigit() or int(expires) < now_s:
            return None
        return "session" if hmac.compare_digest(sig, self._sign(body)) else None


ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def peer_protocol() -> type[Any]:
    """uvicorn's HTTP protocol, telling the app the TLS client certificate's common name (in
    ``scope["extensions"][PEER_KEY]``): uvicorn does not pass it on by itself."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class PeerAware(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            cn = _common_name(transport.get_extra_info("ssl_object"))
            if cn:
                inner: ASGI = self.app  # type: ignore[has-type]

                async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
                    extensions = dict(scope.get("extensions") or {})
                    extensions[PEER_KEY] = cn
                    scope["extensions"] = extensions
                    await inner(scope, receive, send)

                self.app = app

    return PeerAware


def _common_name(ssl_object: Any) -> str:
    if ssl_object is None:
        return ""
    cert = ssl_object.getpeercert() or {}
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return ""


HOW_TO_GET_IN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>settlenet · 401</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>401 · 需要登录 · Sign-in needed</h1>
<p>{why}</p>
<p>Open the URL <code>settlenet up</code> printed (it ends with <code>?token=…</code>). The token
works once: the browser that uses it keeps a session cookie. If it was used already, restart the
network (<code>settlenet up</code>) for a new one.</p>
<p>Scripts: present the operator's client certificate, e.g.<br>
<code>curl --cacert DIR/tls/ca.pem --cert DIR/tls/operator.pem --key DIR/tls/operator.key
URL/api/network</code></p>
<p>请打开 <code>settlenet up</code> 打印的链接（以 <code>?token=…</code> 结尾）；令牌只能使用一次。
脚本可使用运维证书（operator）访问。</p>
</body></html>
"""
