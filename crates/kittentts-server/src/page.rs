//! `GET /`: one small page to try the server, with no external assets.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::App;

const PAGE: &str = include_str!("page.html");

pub(crate) async fn index(State(app): State<Arc<App>>) -> Response {
    app.metrics.request("page", StatusCode::OK);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; media-src 'self' blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
            ),
        ],
        PAGE,
    )
        .into_response()
}
