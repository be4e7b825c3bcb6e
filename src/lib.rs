//! kittentts (work in progress).
