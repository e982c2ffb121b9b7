"""Errors raised by the PI Web API client; each message names the cause and the fix.

    PIWebAPIError                 base of everything the client raises
    ├── PIConfigError             bad or missing settings (a missing env variable, an unparseable time, no extra)
    ├── PIConnectionError         unreachable URL, TLS failure, a proxy's HTML instead of JSON, a truncated body
    └── PIResponseError           a failed response; carries `status` and `url`
        ├── PIAuthError           401 / 403 or a refused token request; never retried
        ├── PINotFoundError       404: an unknown WebId, path or name
        └── PIUnsupportedError    404 for a whole controller: the server's PI Web API release predates it

Messages never contain credentials or tokens: they are built from URLs (which hold none) and server error text.
"""

from __future__ import annotations


class PIWebAPIError(Exception):
    """Base class of every error the client raises."""


class PIConfigError(PIWebAPIError, ValueError):
    """A setting is missing or malformed; the message names the setting and the accepted forms."""


class PIConnectionError(PIWebAPIError, ConnectionError):
    """The server could not be reached, or answered with something that is not PI Web API JSON."""


class PIResponseError(PIWebAPIError):
    """PI Web API answered with a failure status (or a `WebException` inside a 200).

    Attributes:
        status: the HTTP status (or the `WebException.StatusCode`), None when unknown.
        url: the request URL, without credentials.
    """

    def __init__(self, message: str, *, status: int | None = None, url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class PIAuthError(PIResponseError):
    """401 or 403: the credentials were refused or lack rights; retrying cannot help."""


class PINotFoundError(PIResponseError):
    """404: the WebId, path or name does not exist on the server."""


class PIUnsupportedError(PIResponseError):
    """The server has no controller for this feature (404 "No HTTP resource"): its PI Web API is too old.

    Attributes:
        feature: what could not be read (e.g. "notification rules").
        required: the first PI Web API release that serves it (e.g. "PI Web API 2018").
    """

    def __init__(self, feature: str, required: str, *, url: str = "") -> None:
        super().__init__(
            f"{feature} need {required} or later: the server at {url} has no route for them (404 No HTTP resource); "
            f"upgrade PI Web API or leave {feature} out of the pipeline",
            status=404,
            url=url,
        )
        self.feature = feature
        self.required = required
