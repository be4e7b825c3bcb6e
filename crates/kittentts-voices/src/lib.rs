//! kittentts-voices (work in progress).
