//! kittentts-phonemize (work in progress).
