"""One error body for every failure: ``{"error": {"code": ..., "message": ...}}``.

Handlers replace FastAPI's defaults (``{"detail": ...}``) for request validation errors,
unknown routes and methods, and Accord's own errors, so clients parse one shape.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.errors import ConfigError

__all__ = ["ApiError", "ErrorBody", "ErrorResponse", "install_error_handlers"]

#: HTTP status -> the code clients see when FastAPI or Starlette raised the error.
_STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 400: "invalid_request"}


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


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """A JSON response with the error body."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message))
    return JSONResponse(status_code=status, content=body.model_dump())


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


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
    return error_response(503, "store_unavailable", str(exc))


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through :func:`error_response`."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ConfigError, _unavailable)
