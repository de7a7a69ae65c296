"""One error body for every failure: ``{"error": {"code": ..., "message": ...}}``.

Handlers replace FastAPI's defaults (``{"detail": ...}``) for request validation errors,
unknown routes and methods, and Accord's own errors, so clients parse one shape. What no
handler expected is caught by :class:`Backstop`: a 500 with the code ``internal_error``, the
traceback logged server-side and never sent (no code, no server path in the body), so even
a bug answers JSON and the client's connection stays usable.

:func:`document_errors` makes the OpenAPI document say so: every operation lists the error
statuses it can answer with this body (FastAPI's ``422 HTTPValidationError``, which the API
never sends, is replaced by the 400 it does send).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.errors import ConfigError
from accord.server.limits import BodyTooLarge, Started

__all__ = ["ApiError", "Backstop", "ErrorBody", "ErrorResponse", "document_errors",
           "errors", "install_error_handlers"]

#: HTTP status -> the code clients see when FastAPI or Starlette raised the error.
_STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 400: "invalid_request",
                 415: "unsupported_media_type"}

_LOG = logging.getLogger("accord.server")


class ErrorBody(BaseModel):
    """What went wrong: a stable machine-readable code and a message for people."""

    code: str
    message: str


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody


class ApiError(Exception):
    """An error the API reports as is (status, code, message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


#: What each error status means, as the OpenAPI document describes it.
_DESCRIPTIONS = {
    400: "Bad request: a malformed body or parameter (the message names it)",
    401: "No credential, or an unknown or revoked one",
    403: "The credential lacks the scope or role the route needs",
    404: "Not found",
    405: "Not allowed on this server",
    409: "Refused in the current state",
    413: "Request body too large",
    415: "Unsupported content type (send application/json)",
    422: "Well formed but refused (the message says why)",
    500: "An unexpected server error (logged on the server)",
    503: "A store is missing or busy: retry later",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route answering these error statuses with the error body."""
    return {status: {"model": ErrorResponse, "description": _DESCRIPTIONS[status]}
            for status in statuses}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """A JSON response with the error body."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message))
    return JSONResponse(status_code=status, content=body.model_dump())


def _private(request: Request, message: str) -> str:
    """``message`` without the server's absolute path of the project (a file in it is
    named relative to the project folder): a client has no business knowing where it is."""
    for prefix in getattr(request.app.state, "private_paths", ()):
        message = message.replace(prefix + "/", "").replace(prefix, ".")
    return message


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, _private(request, exc.message))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, _private(request, str(exc.detail)))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # A malformed body or a bad field is the client's error: 400, naming the path of every
    # bad field ("body.placements.hero: Input should be greater than or equal to 1").
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()))
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "json_invalid":
            message = f"malformed JSON: {error.get('ctx', {}).get('error', message)}"
        problems.append(f"{where}: {message}")
    return error_response(400, "invalid_request", "; ".join(problems) or "invalid request")


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # A store that is missing or locked by a running build: the client may retry later.
    return error_response(503, "store_unavailable", _private(request, str(exc)))


def install_error_handlers(app: FastAPI, project_dir: Path | None = None) -> None:
    """Route every error through :func:`error_response` and document them (the app adds
    :class:`Backstop` itself, inside any middleware that raises on purpose).

    Args:
        app: the application.
        project_dir: the project served: its absolute path never appears in a message.
    """
    if project_dir is not None:
        app.state.private_paths = sorted(
            {str(project_dir.resolve()), str(project_dir.absolute())}, key=len, reverse=True)
    document_errors(app)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ConfigError, _unavailable)


class Backstop:
    """ASGI middleware: an exception nothing handled becomes a 500 ``internal_error`` (logged
    with its traceback here, never sent to the client).

    Starlette's own last resort answers plain text and re-raises, which resets the client's
    connection under some servers; this one answers the usual error body and returns.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = Started(send)
        try:
            await self.app(scope, receive, tracked)
        except BodyTooLarge:
            raise  # a refusal the middleware that counted the body answers (413)
        except Exception:
            _LOG.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if tracked.started:  # too late for an error body: the server closes the connection
                raise
            body = json.dumps({"error": {
                "code": "internal_error",
                "message": "an unexpected error occurred on the server; it has been logged"}}
            ).encode()
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})


#: Statuses every operation may answer: a bad parameter or body, an unexpected error.
_EVERYWHERE = (400, 500)
#: ... and every operation with a body: too large, or not JSON.
_WITH_BODY = (413, 415)


def document_errors(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document list, for every operation, the error statuses it may
    answer with :class:`ErrorResponse`: those its route declares, 400 and 500 everywhere,
    413 and 415 where there is a body. FastAPI's default 422 (``HTTPValidationError``,
    never sent: a bad request is a 400) is dropped unless the route declared 422 itself.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        reference = {"$ref": "#/components/schemas/ErrorResponse"}
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                declared = responses.get("422", {}).get("content", {})
                if "HTTPValidationError" in json.dumps(declared):
                    del responses["422"]
                extra = _EVERYWHERE + (_WITH_BODY if "requestBody" in operation else ())
                for status in extra:
                    responses.setdefault(str(status), {
                        "description": _DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": reference}}})
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        schemas.setdefault("ErrorBody", {
            "title": "ErrorBody", "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}})
        schemas.setdefault("ErrorResponse", {
            "title": "ErrorResponse", "type": "object", "required": ["error"],
            "properties": {"error": {"$ref": "#/components/schemas/ErrorBody"}}})
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
