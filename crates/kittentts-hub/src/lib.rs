//! kittentts-hub (work in progress).
