"""The hub's web view: a live picture of the network served on the hub's own HTTP port
(Starlette + uvicorn on the hub's event loop, as the province nodes serve the national HTTP
interface). ``app.py`` routes, ``access.py`` decides who gets in (a one-time token exchanged for
a session cookie, or the operator's client certificate), ``live.py`` keeps the rolling window
and pushes a snapshot a second (server-sent events), ``present.py`` turns the hub's values into
JSON (personal data masked), ``static/`` holds the pages (no build step)."""
