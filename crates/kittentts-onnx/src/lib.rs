//! kittentts-onnx (work in progress).
