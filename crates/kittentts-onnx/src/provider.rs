//! Execution providers: which device runs the model, and what happens when one is unavailable.

use std::fmt;

use ort::ep::ExecutionProviderDispatch;

/// An ONNX Runtime execution provider to try, in order, before the CPU.
///
/// Every variant exists whatever the cargo features; asking for one whose feature
/// (`cuda`, `tensorrt`, `coreml`, `directml`, `openvino`) is off behaves like a provider that
/// cannot register: a warning and the CPU, or [`Error::ProviderUnavailable`](crate::Error::ProviderUnavailable)
/// when [`ModelOptions::require_providers`](crate::ModelOptions::require_providers) is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExecutionProvider {
    /// ONNX Runtime's default CPU provider (always available).
    Cpu,
    /// NVIDIA CUDA (feature `cuda`).
    Cuda {
        /// CUDA device ordinal.
        device_id: i32,
    },
    /// NVIDIA TensorRT (feature `tensorrt`).
    TensorRt {
        /// CUDA device ordinal.
        device_id: i32,
    },
    /// Apple Core ML (feature `coreml`).
    CoreMl,
    /// Windows DirectML (feature `directml`).
    DirectMl {
        /// DirectX adapter index.
        device_id: i32,
    },
    /// Intel OpenVINO (feature `openvino`).
    OpenVino,
}

impl ExecutionProvider {
    /// ONNX Runtime's name for the provider, e.g. `"CUDAExecutionProvider"`.
    pub fn ort_name(&self) -> &'static str {
        match self {
            Self::Cpu => "CPUExecutionProvider",
            Self::Cuda { .. } => "CUDAExecutionProvider",
            Self::TensorRt { .. } => "TensorrtExecutionProvider",
            Self::CoreMl => "CoreMLExecutionProvider",
            Self::DirectMl { .. } => "DmlExecutionProvider",
            Self::OpenVino => "OpenVINOExecutionProvider",
        }
    }

    /// The cargo feature that compiles the provider in (`None` for the CPU).
    pub fn feature(&self) -> Option<&'static str> {
        match self {
            Self::Cpu => None,
            Self::Cuda { .. } => Some("cuda"),
            Self::TensorRt { .. } => Some("tensorrt"),
            Self::CoreMl => Some("coreml"),
            Self::DirectMl { .. } => Some("directml"),
            Self::OpenVino => Some("openvino"),
        }
    }

    /// Whether this build of the crate has the provider's feature turned on.
    pub fn is_compiled_in(&self) -> bool {
        self.dispatch().is_some()
    }

    /// ort's registration object, or `None` when the feature is off.
    pub(crate) fn dispatch(&self) -> Option<ExecutionProviderDispatch> {
        match *self {
            Self::Cpu => Some(ort::ep::CPU::default().build()),
            #[cfg(feature = "cuda")]
            Self::Cuda { device_id } => {
                Some(ort::ep::CUDA::default().with_device_id(device_id).build())
            }
            #[cfg(feature = "tensorrt")]
            Self::TensorRt { device_id } => Some(
                ort::ep::TensorRT::default()
                    .with_device_id(device_id)
                    .build(),
            ),
            #[cfg(feature = "coreml")]
            Self::CoreMl => Some(ort::ep::CoreML::default().build()),
            #[cfg(feature = "directml")]
            Self::DirectMl { device_id } => Some(
                ort::ep::DirectML::default()
                    .with_device_id(device_id)
                    .build(),
            ),
            #[cfg(feature = "openvino")]
            Self::OpenVino => Some(ort::ep::OpenVINO::default().build()),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

impl fmt::Display for ExecutionProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cuda { device_id }
            | Self::TensorRt { device_id }
            | Self::DirectMl { device_id } => {
                write!(f, "{} (device {device_id})", self.ort_name())
            }
            _ => f.write_str(self.ort_name()),
        }
    }
}
