"""The app's REST API as the agent uses it, over urllib: JSON in and out, token auth, errors sorted by what to do."""

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request


class Unreachable(Exception):
    """The app did not answer usably (connection refused or dropped, timeout, 5xx, 429): try again later."""


class ApiError(Exception):
    """The app answered with a 4xx: the request itself was refused; `status` and `body` say why."""

    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Api:
    def __init__(self, url, token, *, timeout=30):
        self.base = url.rstrip("/")
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.timeout = timeout

    def url(self, path):
        return path if path.startswith(("http://", "https://")) else f"{self.base}{path}"

    def get(self, path, params=None):
        url = self.url(path)
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        return self._send(urllib.request.Request(url, headers=self.headers, method="GET"))

    def post(self, path, data):
        body = json.dumps(data).encode()
        headers = {**self.headers, "Content-Type": "application/json"}
        return self._send(urllib.request.Request(self.url(path), data=body, headers=headers, method="POST"))

    def pages(self, path, params=None):
        """Every item of a list, following `next` links; a list the app does not paginate is one page."""
        page = self.get(path, {"page_size": 500, **(params or {})})
        while True:
            if isinstance(page, list):
                yield from page
                return
            yield from page.get("results") or []
            if not page.get("next"):
                return
            page = self.get(page["next"])

    def _send(self, request):
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            body = _body(error)
            if error.code >= 500 or error.code == 429:
                raise Unreachable(f"{request.full_url}: HTTP {error.code}") from None
            raise ApiError(error.code, body) from None
        except (OSError, http.client.HTTPException) as error:
            # URLError, refused, reset, timeouts and dropped connections are all OSError or HTTPException.
            raise Unreachable(f"{request.full_url}: {error}") from None
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            raise Unreachable(f"{request.full_url}: the answer is not JSON") from None


def _body(error):
    try:
        raw = error.read()
    except (OSError, http.client.HTTPException):
        return ""
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")[:2000]
