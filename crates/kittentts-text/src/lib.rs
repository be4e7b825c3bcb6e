//! kittentts-text (work in progress).
