//! One model run through ONNX Runtime's C `Run` on a shared `&Session`.
//!
//! ort's safe `Session::run` takes `&mut self`, so one session could serve one run at a time.
//! ONNX Runtime itself allows concurrent `Run` calls on one session with the CPU execution
//! provider (its maintainers: "sessions are stateless so you can call Run concurrently",
//! microsoft/onnxruntime#114, #22967): the session's weights, kernels and memory arena then
//! exist once for every run at once. Other execution providers are not relied on for this:
//! the pool gives each of their runs a session of its own (see [`ModelOptions::share_session`]).
//!
//! [`ModelOptions::share_session`]: crate::ModelOptions::share_session

use std::ffi::{CString, c_char};
use std::ptr::{self, NonNull};

use ort::AsPointer;
use ort::session::{RunOptions, Session};
use ort::value::DynValue;

/// The C names of a session's inputs and outputs, made once at load.
pub(crate) struct RunNames {
    inputs: Vec<CString>,
    outputs: Vec<CString>,
}

impl RunNames {
    /// Names for `inputs` (in the order [`run`] gets their values) and every output of
    /// `session` (in the session's order). `None` if a name holds a NUL byte.
    pub(crate) fn new(inputs: &[&str], session: &Session) -> Option<Self> {
        let c = |name: &str| CString::new(name).ok();
        Some(Self {
            inputs: inputs.iter().map(|n| c(n)).collect::<Option<_>>()?,
            outputs: session
                .outputs()
                .iter()
                .map(|o| c(o.name()))
                .collect::<Option<_>>()?,
        })
    }
}

/// Runs `session` on `inputs` (one value per name of `names.inputs`, same order) and returns
/// every output in the session's order (`None` where ONNX Runtime gave none).
///
/// `session` may be running on other threads at the same time only if it was made for the
/// CPU execution provider alone (the pool ensures it).
pub(crate) fn run(
    session: &Session,
    names: &RunNames,
    inputs: &[&DynValueRef<'_>],
    options: &RunOptions,
) -> Result<Vec<Option<DynValue>>, ort::Error> {
    if inputs.len() != names.inputs.len() {
        return Err(ort::Error::new(format!(
            "{} input values for {} input names",
            inputs.len(),
            names.inputs.len()
        )));
    }
    let input_names: Vec<*const c_char> = names.inputs.iter().map(|n| n.as_ptr()).collect();
    let input_values: Vec<*const ort::sys::OrtValue> = inputs.iter().map(|v| v.ptr()).collect();
    let output_names: Vec<*const c_char> = names.outputs.iter().map(|n| n.as_ptr()).collect();
    let mut outputs: Vec<*mut ort::sys::OrtValue> = vec![ptr::null_mut(); output_names.len()];
    // SAFETY: every pointer is valid for the call: the session and run options are borrowed,
    // the names are NUL-terminated strings owned by `names`, the input values are borrowed
    // tensors, and `outputs` has one slot per output name, each null so that ONNX Runtime
    // allocates it. The call only reads the session (concurrent calls are allowed on the CPU
    // execution provider; see the module docs).
    let status = unsafe {
        (ort::api().Run)(
            session.ptr().cast_mut(),
            options.ptr(),
            input_names.as_ptr(),
            input_values.as_ptr(),
            input_values.len(),
            output_names.as_ptr(),
            output_names.len(),
            outputs.as_mut_ptr(),
        )
    };
    // Own the outputs first, so that they are released on every path.
    let owned = outputs
        .into_iter()
        .map(|p| {
            NonNull::new(p).map(|p| {
                // SAFETY: `p` is an output value ONNX Runtime just made and handed over; it was
                // allocated by the session's allocator, which outlives it (the session does).
                unsafe { DynValue::from_ptr(p, Some(session.allocator())) }
            })
        })
        .collect();
    // SAFETY: `status` was returned by the ONNX Runtime API call above.
    unsafe { ort::Error::result_from_status(status) }?;
    Ok(owned)
}

/// A borrowed input tensor of any element type.
pub(crate) type DynValueRef<'v> = dyn AsPointer<Sys = ort::sys::OrtValue> + 'v;
