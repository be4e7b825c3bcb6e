//! Every error the server answers, in the OpenAI shape or in Harmony Speech Engine's.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One error: its status, its OpenAI `type`, the parameter at fault, a code, and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The message a person reads.
    pub message: String,
    /// OpenAI's `type` (`invalid_request_error`, `authentication_error`…).
    pub kind: &'static str,
    /// The request field at fault, if one is.
    pub param: Option<String>,
    /// A short machine-readable code (`model_not_found`, `queue_full`…).
    pub code: Option<&'static str>,
    /// Seconds a client should wait before trying again (429, 503).
    pub retry_after: Option<u64>,
    /// Answer in HSE's flat shape instead of OpenAI's.
    pub hse: bool,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            kind,
            param: None,
            code: None,
            retry_after: None,
            hse: false,
        }
    }

    /// 400 `invalid_request_error`, naming the parameter at fault.
    pub fn bad_request(param: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            param: param.map(str::to_owned),
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
        }
    }

    /// 401: the API key is missing or wrong.
    pub fn unauthorized() -> Self {
        Self {
            code: Some("invalid_api_key"),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "missing or wrong API key: send `Authorization: Bearer <key>` or `Api-Key: <key>`",
            )
        }
    }

    /// 404 for a model that is not loaded.
    pub fn model_not_found(name: &str, available: &[String]) -> Self {
        Self {
            param: Some("model".into()),
            code: Some("model_not_found"),
            ..Self::new(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                format!(
                    "the model {name:?} does not exist; available models: {}",
                    available.join(", ")
                ),
            )
        }
    }

    /// 404 for a path the server does not have.
    pub fn no_route(path: &str) -> Self {
        Self {
            code: Some("not_found"),
            ..Self::new(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                format!("no such route: {path}"),
            )
        }
    }

    /// 405.
    pub fn method_not_allowed() -> Self {
        Self {
            code: Some("method_not_allowed"),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request_error",
                "method not allowed on this route",
            )
        }
    }

    /// 413: the body is over the limit.
    pub fn too_large(limit: usize) -> Self {
        Self {
            code: Some("request_too_large"),
            ..Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request_error",
                format!("the request body is over the limit of {limit} bytes"),
            )
        }
    }

    /// 415: not JSON.
    pub fn unsupported_media_type() -> Self {
        Self {
            code: Some("unsupported_media_type"),
            ..Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request_error",
                "the body must be JSON (Content-Type: application/json)",
            )
        }
    }

    /// 429: every place in the queue is taken.
    pub fn queue_full(limit: usize) -> Self {
        Self {
            code: Some("queue_full"),
            retry_after: Some(1),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                format!(
                    "the server is busy: {limit} requests are already running or queued; retry shortly"
                ),
            )
        }
    }

    /// 503: shutting down.
    pub fn shutting_down() -> Self {
        Self {
            code: Some("shutting_down"),
            retry_after: Some(5),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "server_error",
                "the server is shutting down and takes no new requests",
            )
        }
    }

    /// 408: the request body did not arrive in time.
    pub fn body_timeout(seconds: f64) -> Self {
        Self {
            code: Some("request_timeout"),
            ..Self::new(
                StatusCode::REQUEST_TIMEOUT,
                "invalid_request_error",
                format!("the request body did not arrive within {seconds} s (--body-timeout)"),
            )
        }
    }

    /// 400: the body could not be read (a malformed chunked encoding, a connection cut).
    pub fn unreadable_body(reason: impl std::fmt::Display) -> Self {
        Self {
            code: Some("bad_body"),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                format!("the request body could not be read: {reason}"),
            )
        }
    }

    /// 503: every connection place is taken (`--max-connections`).
    pub fn too_many_connections(limit: usize) -> Self {
        Self {
            code: Some("too_many_connections"),
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "server_error",
                format!("the server has {limit} connections open, its limit; retry shortly"),
            )
        }
    }

    /// 500, with what went wrong (never an empty body).
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: Some("internal_error"),
            ..Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", message)
        }
    }

    /// The same error in HSE's shape.
    pub fn in_hse_shape(mut self) -> Self {
        self.hse = true;
        self
    }
}

impl ApiError {
    /// The error's JSON body, in its shape (OpenAI's or HSE's).
    pub fn body(&self) -> serde_json::Value {
        if self.hse {
            let kind = match self.status {
                StatusCode::NOT_FOUND => "NotFoundError",
                StatusCode::UNAUTHORIZED => "AuthenticationError",
                s if s.is_server_error() => "InternalServerError",
                _ => "BadRequestError",
            };
            json!({
                "object": "error",
                "message": self.message,
                "type": kind,
                "param": self.param,
                "code": self.status.as_u16(),
            })
        } else {
            json!({
                "error": {
                    "message": self.message,
                    "type": self.kind,
                    "param": self.param,
                    "code": self.code,
                }
            })
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A library error as the client's fault (400) or the server's (500).
pub(crate) fn from_synthesis(e: &kittentts::Error) -> ApiError {
    use kittentts::Error as E;
    match e {
        E::EmptyText => ApiError::bad_request(Some("input"), e.to_string()),
        E::TextTooLong { .. } | E::AudioTooLong { .. } => {
            ApiError::bad_request(Some("input"), e.to_string())
        }
        E::UnknownVoice { .. } | E::InvalidVoiceSpec { .. } => {
            ApiError::bad_request(Some("voice"), e.to_string())
        }
        E::InvalidSpeed { .. } | E::SpeedOutOfRange { .. } => {
            ApiError::bad_request(Some("speed"), e.to_string())
        }
        other => ApiError::internal(format!("synthesis failed: {other}")),
    }
}
