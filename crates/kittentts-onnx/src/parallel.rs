//! ONNX Runtime's single-threaded CPU kernels on every intra-op thread, with the very same
//! results.
//!
//! ONNX Runtime's CPU kernels for `Sin` (one Eigen expression) and `InstanceNormalization`
//! (a loop over channels) run on one thread whatever the session's thread count. In the
//! KittenTTS decoder (the snake activations of its generator, its harmonic source, its
//! normalisations) they are the largest costs after `Conv` and `MatMul`: on the stand-in nano
//! model, 2 threads, a lone 75-token run spends about 120 ms of its 690 (ONNX Runtime's
//! profiler) in `Sin` and 35 ms in `InstanceNormalization`.
//!
//! [`parallelise`] renames the model's top-level nodes of those operators to ones of
//! [`DOMAIN`], which [`domain`] registers. Their kernels cut a tensor into pieces and hand
//! each piece, in place, to ONNX Runtime's own kernel (`CreateOp`, `InvokeOp`) on the
//! session's intra-op thread pool (`KernelContext_ParallelFor`); a one-thread session runs the
//! pieces one after the other. Every element is computed by the same kernel at the same
//! address:
//! - `Sin` is cut at 64-byte addresses of a 64-byte aligned output. Eigen splits its loop
//!   into an unaligned head, aligned SIMD packets and a scalar tail by the output's address, so
//!   every element stays on the same side of those bounds. A piece goes to [`sin`], which
//!   computes what ONNX Runtime's kernel would, eight lanes at a time, unless an argument is
//!   too large for it; then to ONNX Runtime's kernel.
//! - `InstanceNormalization` is cut between channels: the kernel normalises each channel on
//!   its own, and each piece views its channels, scales and biases where they lie.
//!
//! So the output is bit for bit what the original nodes compute: the fixture's parity tests
//! compare samples, and `tests/parallel_kernels.rs` compares both kernels on every size of a
//! probe model. Anything else (another batch size, an unaligned output, a small tensor) goes
//! to the original kernel whole.
//!
//! [`parallelise`] also replaces each of the decoder's AdaIN and snake chains (eight nodes) by
//! one node of [`DOMAIN`] that computes the chain in one pass; see [`fuse`]. On x86-64 CPUs with
//! AVX2 it renames the int8 models' one-dimensional `ConvInteger` nodes to a direct
//! convolution of [`DOMAIN`], exact since its sums are of integers; see [`conv`].

use std::ptr::{self, NonNull};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ort::AsPointer;
use ort::memory::{AllocationDevice, AllocatorType, MemoryInfo, MemoryType};
use ort::operator::{
    ComputeContext, Kernel, KernelContext, Operator, OperatorDomain, OperatorInput, OperatorOutput,
    ShapeInferenceContext,
};
use ort::sys::ONNXTensorElementDataType::ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT as FLOAT;
use ort::value::TensorElementType;

mod conv;
mod fuse;
mod sin;

/// The operator domain of the rewritten nodes.
pub(crate) const DOMAIN: &str = "kittentts";

/// Fewer elements than this per piece are not worth a task (about 40 µs of `Sin`).
const MIN_PIECE: usize = 16 * 1024;
/// At most this many pieces: enough for the thread pool to even out a slow thread.
const MAX_PIECES: usize = 8;
/// `Sin` pieces start at addresses that are multiples of this (the widest SIMD register).
const ALIGN: usize = 64;

/// The operators this module runs in pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sin,
    InstanceNorm,
}

/// What the engine needs to know of one [`Kind`].
struct Spec {
    /// The standard ONNX operator.
    onnx_op: &'static str,
    /// The version of the ONNX Runtime CPU kernel that `CreateOp` asks for.
    since_version: i32,
    /// The operator of [`DOMAIN`] that nodes of this kind become.
    name: &'static str,
    /// Its float inputs.
    inputs: usize,
}

impl Kind {
    const ALL: [Kind; 2] = [Kind::Sin, Kind::InstanceNorm];

    fn spec(self) -> &'static Spec {
        match self {
            Kind::Sin => &Spec {
                onnx_op: "Sin",
                since_version: 7,
                name: "ParallelSin",
                inputs: 1,
            },
            Kind::InstanceNorm => &Spec {
                onnx_op: "InstanceNormalization",
                since_version: 6,
                name: "ParallelInstanceNormalization",
                inputs: 3,
            },
        }
    }
}

/// The operator domain that runs the rewritten nodes.
pub(crate) fn domain() -> ort::Result<OperatorDomain> {
    Kind::ALL
        .into_iter()
        .try_fold(OperatorDomain::new(DOMAIN)?, |d, kind| {
            d.add(Parallel(kind))
        })?
        .add(fuse::AdaInSnake)
        .and_then(|d| {
            conv::Weights::ALL
                .into_iter()
                .try_fold(d, |d, w| d.add(conv::ConvInteger1d(w)))
        })
}

/// `model` (an ONNX `ModelProto`) with its top-level graph's `Sin` and
/// `InstanceNormalization` nodes renamed to the operators of [`DOMAIN`] and that domain
/// imported; `None` when it has no such node or is not a well-formed protobuf message (then
/// the model is used as it is).
pub(crate) fn parallelise(model: &[u8]) -> Option<Vec<u8>> {
    let fields = proto::fields(model)?;
    // A model that imports a domain of this name already is left alone.
    let imports_domain = fields.iter().filter(|f| f.number == 8).any(|f| {
        f.payload.and_then(proto::fields).is_some_and(|o| {
            o.iter()
                .any(|d| d.number == 1 && d.payload == Some(DOMAIN.as_bytes()))
        })
    });
    if imports_domain {
        return None;
    }
    let graph = fields
        .iter()
        .find(|f| f.number == 7 && f.payload.is_some())?;
    let graph_payload = graph.payload?;
    // The chains that become one fused node each, by the index of the node whose place the
    // fused node takes, and the nodes they remove.
    let parsed = fuse::Graph::parse(graph_payload)?;
    let fusions = fuse::find(&parsed);
    let convolutions = if conv::supported() {
        conv::find(&parsed)
    } else {
        std::collections::HashMap::new()
    };
    let mut fused = std::collections::HashMap::new();
    let mut removed = std::collections::HashSet::new();
    for f in &fusions {
        removed.extend(f.replaced);
        fused.insert(f.place(), &f.node);
    }
    // The graph's nodes that change, as (the node field's span in the graph, its new bytes:
    // none for a removed node).
    let mut changes = Vec::new();
    for (index, node) in parsed.fields.iter().filter(|f| f.number == 1).enumerate() {
        let Some(payload) = node.payload else {
            continue;
        };
        let span = node.span(graph_payload);
        if let Some(new) = fused.get(&index) {
            changes.push((span, proto::len_field(1, new)));
        } else if removed.contains(&index) {
            changes.push((span, Vec::new()));
        } else if let Some(new) = convolutions.get(&index) {
            changes.push((span, proto::len_field(1, new)));
        } else if let Some(new) = rename(payload)? {
            changes.push((span, proto::len_field(1, &new)));
        }
    }
    if changes.is_empty() {
        return None;
    }
    tracing::debug!(
        fused = fusions.len(),
        convolutions = convolutions.len(),
        rewritten = changes.len() - 8 * fusions.len(),
        "parallel kernels: chains fused, other nodes rewritten"
    );
    let graph_len = graph_payload.len() + changes.iter().map(|(_, new)| new.len()).sum::<usize>()
        - changes.iter().map(|(span, _)| span.len()).sum::<usize>();
    let mut out = Vec::with_capacity(model.len() + 64 + changes.len() * 48);
    for f in &fields {
        if !ptr::eq(f, graph) {
            out.extend_from_slice(f.raw);
            continue;
        }
        proto::put_tag(&mut out, 7, proto::LEN);
        proto::put_varint(&mut out, graph_len as u64);
        let mut at = 0;
        for (span, new) in &changes {
            out.extend_from_slice(&graph_payload[at..span.start]);
            out.extend_from_slice(new);
            at = span.end;
        }
        out.extend_from_slice(&graph_payload[at..]);
    }
    let mut opset = proto::len_field(1, DOMAIN.as_bytes());
    proto::put_tag(&mut opset, 2, proto::VARINT);
    proto::put_varint(&mut opset, 1);
    out.extend_from_slice(&proto::len_field(8, &opset));
    Some(out)
}

/// A `NodeProto` of a standard operator of [`Kind`] renamed to its [`DOMAIN`] operator;
/// `Some(None)` for any other node, `None` if it is not well formed.
fn rename(node: &[u8]) -> Option<Option<Vec<u8>>> {
    let fields = proto::fields(node)?;
    // The last occurrence of a field wins, as protobuf parsers do.
    let text = |number| {
        fields
            .iter()
            .rev()
            .find(|f| f.number == number)
            .and_then(|f| f.payload)
    };
    let standard = matches!(text(7), None | Some(b"") | Some(b"ai.onnx"));
    let op = text(4);
    let Some(kind) = Kind::ALL
        .into_iter()
        .find(|k| standard && op == Some(k.spec().onnx_op.as_bytes()))
    else {
        return Some(None);
    };
    let mut out = Vec::with_capacity(node.len() + 48);
    for f in fields.iter().filter(|f| f.number != 4 && f.number != 7) {
        out.extend_from_slice(f.raw);
    }
    out.extend_from_slice(&proto::len_field(4, kind.spec().name.as_bytes()));
    out.extend_from_slice(&proto::len_field(7, DOMAIN.as_bytes()));
    Some(Some(out))
}

/// One operator of [`DOMAIN`] (see the module docs).
struct Parallel(Kind);

impl Operator for Parallel {
    type Kernel<'attr> = PieceKernel;

    fn name(&self) -> &str {
        self.0.spec().name
    }

    fn inputs(&self) -> impl IntoIterator<Item = OperatorInput> {
        (0..self.0.spec().inputs).map(|_| OperatorInput::required(TensorElementType::Float32))
    }

    fn outputs(&self) -> impl IntoIterator<Item = OperatorOutput> {
        [OperatorOutput::required(TensorElementType::Float32)]
    }

    fn infer_shape(&self, ctx: &mut ShapeInferenceContext) -> ort::Result<()> {
        infer_like_input(ctx, self.0.spec().name)
    }

    fn create_kernel<'attr>(&self, info: &KernelContext<'attr>) -> ort::Result<PieceKernel> {
        // InstanceNormalization's one attribute; ONNX Runtime's default when the node has none.
        let epsilon = match self.0 {
            Kind::InstanceNorm => info.get::<f32>("epsilon"),
            Kind::Sin => None,
        };
        PieceKernel::new(info, self.0, epsilon)
    }
}

/// Shape inference for an operator whose one output has the type and shape of its input 0.
pub(crate) fn infer_like_input(ctx: &mut ShapeInferenceContext, name: &str) -> ort::Result<()> {
    // The output has the input's type and shape. Its unknown dimensions get names of their
    // own: ONNX Runtime would write them as the dimension value -1, which the inference
    // of the nodes after it takes for a size (a reshape to [-1] of [-1, 600] would then
    // infer [-600]). No input dimensions (unknown rank, or a scalar) leave the output
    // unknown.
    let (dims, names) = input_shape(ctx, 0)?;
    if dims.is_empty() {
        return Ok(());
    }
    set_output_shape(ctx, FLOAT, &dims, &names, name)
}

/// The dimensions of input `index` of the node being inferred, with their symbolic names
/// (`None` where a dimension has none); no dimensions for an unknown rank or a scalar.
pub(crate) fn input_shape(
    ctx: &mut ShapeInferenceContext,
    index: usize,
) -> ort::Result<(Vec<i64>, Vec<Option<std::ffi::CString>>)> {
    let ctx = ctx.ptr().cast_mut();
    let mut input = ptr::null_mut();
    // SAFETY: `ctx` is the shape inference context ONNX Runtime passed, for a node with an
    // input `index`. `input` is then the context's own, valid for this call.
    check(unsafe { (ort::api().ShapeInferContext_GetInputTypeShape)(ctx, index, &mut input) })?;
    let mut rank = 0;
    // SAFETY: `input` is valid (above).
    check(unsafe { (ort::api().GetDimensionsCount)(input, &mut rank) })?;
    if rank == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut dims = vec![0i64; rank];
    let mut symbols = vec![ptr::null::<std::ffi::c_char>(); rank];
    // SAFETY: both arrays hold `rank` entries; the symbols are the context's strings,
    // read before this call returns.
    check(unsafe { (ort::api().GetDimensions)(input, dims.as_mut_ptr(), rank) })?;
    // SAFETY: as above.
    check(unsafe { (ort::api().GetSymbolicDimensions)(input, symbols.as_mut_ptr(), rank) })?;
    let names = symbols
        .iter()
        .map(|&symbol| {
            // SAFETY: a non-null symbol is a NUL-terminated string of the context.
            (!symbol.is_null())
                .then(|| unsafe { std::ffi::CStr::from_ptr(symbol) }.to_owned())
                .filter(|s| !s.is_empty())
        })
        .collect();
    Ok((dims, names))
}

/// Sets output 0 of the node being inferred to `element` tensors of `dims`: a dimension
/// without a name in `names` and no size (negative) gets a name of its own, made from `name`.
pub(crate) fn set_output_shape(
    ctx: &mut ShapeInferenceContext,
    element: ort::sys::ONNXTensorElementDataType,
    dims: &[i64],
    names: &[Option<std::ffi::CString>],
    name: &str,
) -> ort::Result<()> {
    static UNKNOWN: AtomicU64 = AtomicU64::new(0);
    let rank = dims.len();
    let names = dims
        .iter()
        .zip(names)
        .map(|(&dim, known)| match known {
            Some(s) => Ok(s.clone()),
            None if dim < 0 => {
                let n = UNKNOWN.fetch_add(1, Ordering::Relaxed);
                std::ffi::CString::new(format!("{name}_{n}"))
            }
            None => Ok(std::ffi::CString::default()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut name_ptrs: Vec<*const std::ffi::c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let ctx = ctx.ptr().cast_mut();
    let mut output = ptr::null_mut();
    // SAFETY: a new type-and-shape info of ours, released below.
    check(unsafe { (ort::api().CreateTensorTypeAndShapeInfo)(&mut output) })?;
    // SAFETY: `output` is valid; the arrays hold `rank` entries; the context copies them.
    let set = check(unsafe { (ort::api().SetTensorElementType)(output, element) })
        .and_then(|()| check(unsafe { (ort::api().SetDimensions)(output, dims.as_ptr(), rank) }))
        .and_then(|()| {
            check(unsafe {
                (ort::api().SetSymbolicDimensions)(output, name_ptrs.as_mut_ptr(), rank)
            })
        })
        .and_then(|()| {
            check(unsafe { (ort::api().ShapeInferContext_SetOutputTypeShape)(ctx, 0, output) })
        });
    // SAFETY: made by `CreateTensorTypeAndShapeInfo` above, released once.
    unsafe { (ort::api().ReleaseTensorTypeAndShapeInfo)(output) };
    set
}

/// The result of an ONNX Runtime API call.
fn check(status: ort::sys::OrtStatusPtr) -> ort::Result<()> {
    // SAFETY: every caller passes the status an ONNX Runtime API call just returned.
    unsafe { ort::Error::result_from_status(status) }
}

/// An attribute for `CreateOp`, released on drop.
struct OpAttr(NonNull<ort::sys::OrtOpAttr>);

impl OpAttr {
    fn float(name: &std::ffi::CStr, value: f32) -> ort::Result<Self> {
        let mut attr = ptr::null_mut();
        // SAFETY: `name` is NUL-terminated and `value` is one float, as the type says; the
        // attribute copies both.
        let status = unsafe {
            (ort::api().CreateOpAttr)(
                name.as_ptr(),
                (&raw const value).cast(),
                1,
                ort::sys::OrtOpAttrType::ORT_OP_ATTR_FLOAT,
                &mut attr,
            )
        };
        check(status)?;
        NonNull::new(attr)
            .map(OpAttr)
            .ok_or_else(|| ort::Error::new("CreateOpAttr gave no attribute"))
    }
}

impl Drop for OpAttr {
    fn drop(&mut self) {
        // SAFETY: made by `CreateOpAttr` and released once, here.
        unsafe { (ort::api().ReleaseOpAttr)(self.0.as_ptr()) }
    }
}

/// An ONNX Runtime kernel made by `CreateOp`.
struct OpHandle(NonNull<ort::sys::OrtOp>);

// SAFETY: the kernels are ONNX Runtime's `Sin` and `InstanceNormalization`, whose `Compute`
// is const and keeps no state: `InvokeOp` may run them on any thread, and on several at once.
unsafe impl Send for OpHandle {}
// SAFETY: as above.
unsafe impl Sync for OpHandle {}

/// The kernel of a [`Parallel`] operator.
struct PieceKernel {
    kind: Kind,
    op: OpHandle,
    memory: MemoryInfo<'static>,
}

impl Drop for PieceKernel {
    fn drop(&mut self) {
        // A session can be dropped on another thread while the process exits (the last
        // holder of a model may be a stream's worker): `ReleaseOp` then races with ONNX
        // Runtime's exit-time destructors, which free the registry it updates (seen as
        // "free(): invalid pointer" in 5 of 40 runs of a benchmark that drops streams). Once
        // the process exits, the kernel is left to the exit instead.
        let exiting = EXITING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !*exiting {
            // SAFETY: `op` came from `CreateOp` and is released once, here; the lock keeps
            // the exit handler (and so ONNX Runtime's destructors) from running meanwhile.
            unsafe { (ort::api().ReleaseOp)(self.op.0.as_ptr()) }
        }
    }
}

/// Whether [`sin::sin`] gives this process's ONNX Runtime's bits, once checked
/// ([`PieceKernel::sin_is_exact`]).
static SIN_IS_EXACT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Set when the process starts to exit: no `ReleaseOp` after that.
static EXITING: Mutex<bool> = Mutex::new(false);

/// Registers, once, an exit handler that sets [`EXITING`]. It is registered after the first
/// `CreateOp` has made ONNX Runtime's kernel registry, so it runs before that registry's
/// destructor (exit handlers run in the reverse order of registration), and it waits for a
/// `ReleaseOp` in progress (it takes the same lock).
fn exit_guard() {
    extern "C" fn on_exit() {
        *EXITING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = true;
    }
    unsafe extern "C" {
        fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
    }
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: C's `atexit` with a handler that neither unwinds nor exits.
        let failed = unsafe { atexit(on_exit) } != 0;
        if failed {
            tracing::warn!("cannot register the parallel kernels' exit handler");
        }
    });
}

/// A run's pointers, shared with the pool's threads: each piece writes its own range.
#[derive(Clone, Copy)]
struct Run {
    ctx: *const ort::sys::OrtKernelContext,
    /// The inputs' data: the tensor, then (InstanceNormalization) its scales and biases.
    inputs: [*const f32; 3],
    output: *mut f32,
}

// SAFETY: the pointers address the running kernel's context and the node's input and output
// tensors, which outlive the `par_for` call that uses them; pieces read the inputs and write
// disjoint output ranges, and `InvokeOp` only reads the context.
unsafe impl Send for Run {}
// SAFETY: as above.
unsafe impl Sync for Run {}

impl Kernel for PieceKernel {
    fn compute(&mut self, ctx: &ComputeContext) -> ort::Result<()> {
        let name = self.kind.spec().name;
        let values = inputs(ctx, self.kind.spec().inputs, name)?;
        let shape = values[0].try_extract_tensor::<f32>()?.0.to_vec();
        let mut output = ctx
            .output(0, shape)?
            .ok_or_else(|| ort::Error::new(format!("{name}: no output")))?;
        self.compute_into(ctx, &values, &mut output)
    }
}

/// The first `count` inputs of the running node (`name`'s).
pub(crate) fn inputs<'c>(
    ctx: &'c ComputeContext,
    count: usize,
    name: &str,
) -> ort::Result<Vec<ort::value::ValueRef<'c>>> {
    (0..count)
        .map(|i| {
            ctx.input(i)?
                .ok_or_else(|| ort::Error::new(format!("{name}: no input {i}")))
        })
        .collect()
}

impl PieceKernel {
    /// Runs the kernel on `values` (the node's inputs) into `output`, which has the shape of
    /// `values[0]`: in pieces on the pool's threads when it is large enough.
    fn compute_into(
        &self,
        ctx: &ComputeContext,
        values: &[ort::value::ValueRef<'_>],
        output: &mut ort::value::ValueRefMut<'_>,
    ) -> ort::Result<()> {
        let kind = self.kind;
        let mut inputs = [ptr::null::<f32>(); 3];
        let mut lens = [0usize; 3];
        let mut shape = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let (dims, data) = value.try_extract_tensor::<f32>()?;
            if i == 0 {
                shape = dims.to_vec();
            }
            inputs[i] = data.as_ptr();
            lens[i] = data.len();
        }
        let y = output.try_extract_tensor_mut::<f32>()?.1.as_mut_ptr();
        let pieces = match kind {
            Kind::Sin => sin_pieces(lens[0], y as usize),
            Kind::InstanceNorm => norm_pieces(&shape, lens[1], lens[2]),
        };
        if pieces.len() <= 2 {
            let inputs: Vec<*const ort::sys::OrtValue> = values.iter().map(|v| v.ptr()).collect();
            // SAFETY: the node's own input and output values.
            return unsafe { self.invoke(ctx.ptr(), &inputs, output.ptr().cast_mut()) };
        }
        let run = Run {
            ctx: ctx.ptr(),
            inputs,
            output: y,
        };
        let failed = Mutex::new(None);
        ctx.par_for(pieces.len() - 1, 0, |i| {
            // SAFETY: `pieces` are in bounds of the tensors (see `sin_pieces`, `norm_pieces`)
            // and no other piece writes this one's range of the output.
            let done = unsafe { self.piece(run, &shape, pieces[i], pieces[i + 1]) };
            if let Err(e) = done
                && let Ok(mut slot) = failed.lock()
            {
                slot.get_or_insert(e);
            }
        })?;
        match failed.into_inner() {
            Ok(None) => Ok(()),
            Ok(Some(e)) => Err(e),
            Err(_) => Err(ort::Error::new(format!(
                "{}: a piece panicked",
                kind.spec().name
            ))),
        }
    }

    /// ONNX Runtime's own kernel of `kind` for the node of `info` (`epsilon`: the
    /// normalisation's attribute, ONNX Runtime's default when `None`).
    fn new(info: &KernelContext<'_>, kind: Kind, epsilon: Option<f32>) -> ort::Result<Self> {
        let attr = epsilon.map(|e| OpAttr::float(c"epsilon", e)).transpose()?;
        let attrs: Vec<*const ort::sys::OrtOpAttr> =
            attr.iter().map(|a| a.0.as_ptr().cast_const()).collect();
        let mut constraint_names = [c"T".as_ptr()];
        let constraint_types = [FLOAT];
        let name = std::ffi::CString::new(kind.spec().onnx_op)?;
        let mut op: *mut ort::sys::OrtOp = ptr::null_mut();
        // SAFETY: `info` is the kernel info ONNX Runtime passed for this node; the strings are
        // NUL-terminated, the constraint arrays hold 1 entry each and `attrs` its length; the
        // input and output counts are the operator's. On success `op` owns a kernel,
        // released in `PieceKernel::drop`. The attributes are copied into the kernel.
        let status = unsafe {
            (ort::api().CreateOp)(
                info.ptr(),
                name.as_ptr(),
                c"".as_ptr(),
                kind.spec().since_version,
                constraint_names.as_mut_ptr(),
                constraint_types.as_ptr(),
                1,
                attrs.as_ptr(),
                attrs.len() as i32,
                kind.spec().inputs as i32,
                1,
                &mut op,
            )
        };
        check(status)?;
        let op = NonNull::new(op).ok_or_else(|| ort::Error::new("CreateOp gave no kernel"))?;
        exit_guard();
        Ok(PieceKernel {
            kind,
            op: OpHandle(op),
            memory: MemoryInfo::new(
                AllocationDevice::CPU,
                0,
                AllocatorType::Device,
                MemoryType::Default,
            )?,
        })
    }

    /// Runs the kernel on piece `start..end` of `run`, in place: elements for `Sin`,
    /// channels for `InstanceNormalization` (whose input has `shape`).
    ///
    /// # Safety
    /// `start..end` must lie in the tensors of `run`, and nothing else may touch that range of
    /// the output meanwhile.
    unsafe fn piece(&self, run: Run, shape: &[i64], start: usize, end: usize) -> ort::Result<()> {
        let n = end - start;
        // The views live until the call below returns. SAFETY (for every `add`): `start..end`
        // lies in the tensors (the caller's contract); a channel is `row` floats.
        let (inputs, output) = match self.kind {
            Kind::Sin => {
                let dims = [n as i64];
                let x = unsafe { run.inputs[0].add(start) };
                let y = unsafe { run.output.add(start) };
                // ONNX Runtime's bits, twice as wide, unless an input needs its kernel. The
                // piece starts at a 64-byte aligned output address, as in the whole tensor.
                // SAFETY: `n` floats of the piece; the input and output are the same tensor or
                // do not overlap.
                if self.sin_is_exact(run.ctx) && unsafe { sin::sin(x, y, n) } {
                    return Ok(());
                }
                (vec![self.view(x.cast_mut(), &dims)?], self.view(y, &dims)?)
            }
            Kind::InstanceNorm => {
                let row: usize = shape[2..].iter().map(|&d| d as usize).product();
                let mut dims = shape.to_vec();
                dims[1] = n as i64;
                let x = unsafe { run.inputs[0].add(start * row) };
                let scale = unsafe { run.inputs[1].add(start) };
                let bias = unsafe { run.inputs[2].add(start) };
                let y = unsafe { run.output.add(start * row) };
                let inputs = vec![
                    self.view(x.cast_mut(), &dims)?,
                    self.view(scale.cast_mut(), &[n as i64])?,
                    self.view(bias.cast_mut(), &[n as i64])?,
                ];
                (inputs, self.view(y, &dims)?)
            }
        };
        let inputs: Vec<*const ort::sys::OrtValue> =
            inputs.iter().map(|v| v.0.as_ptr().cast_const()).collect();
        // SAFETY: the views are valid tensors of the piece, the output of the input's shape.
        unsafe { self.invoke(run.ctx, &inputs, output.0.as_ptr()) }
    }

    /// Whether [`sin::sin`] runs here ([`sin::available`]) and gives the bits of this ONNX
    /// Runtime's `Sin` (this kernel's, which must be a `Sin`): checked once a process, on
    /// 4,096 values from 0 to ±25,000, by running both. A runtime whose `Sin` computes
    /// otherwise (another Eigen) keeps its own kernel.
    pub(crate) fn sin_is_exact(&self, ctx: *const ort::sys::OrtKernelContext) -> bool {
        *SIN_IS_EXACT.get_or_init(|| {
            let exact =
                sin::available() && self.kind == Kind::Sin && self.check_sin(ctx).unwrap_or(false);
            if !exact {
                tracing::debug!("this ONNX Runtime's Sin differs from the wide one: not used");
            }
            exact
        })
    }

    fn check_sin(&self, ctx: *const ort::sys::OrtKernelContext) -> ort::Result<bool> {
        const N: usize = 4096;
        // Every magnitude up to the threshold, both signs, and a tail of 3 for `sinf`.
        let probe: Vec<f32> = (0..N - 1)
            .map(|i| {
                let t = i as f32 / (N - 2) as f32;
                let v = 25_000f32.powf(t) - 1.0;
                if i % 2 == 0 { v } else { -v * 0.999 }
            })
            .collect();
        let mut ours = vec![0u128; N / 4 + 4];
        let mut theirs = vec![0u128; N / 4 + 4];
        let (a, b) = (aligned(&mut ours), aligned(&mut theirs));
        // SAFETY: both buffers hold N floats past their aligned start.
        unsafe {
            ptr::copy_nonoverlapping(probe.as_ptr(), a, probe.len());
            ptr::copy_nonoverlapping(probe.as_ptr(), b, probe.len());
        }
        let len = probe.len();
        // SAFETY: in place over `len` floats of `ours`.
        if !unsafe { sin::sin(a, a, len) } {
            return Ok(false);
        }
        // SAFETY: `len` floats of `theirs`.
        unsafe { self.in_place(ctx, b, len)? };
        // SAFETY: `len` floats each, written above.
        let (x, y) = unsafe {
            (
                std::slice::from_raw_parts(a, len),
                std::slice::from_raw_parts(b, len),
            )
        };
        Ok(x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()))
    }

    /// Runs this kernel (an elementwise one: `Sin`) in place over the `len` floats at `data`.
    ///
    /// # Safety
    /// `ctx` must be the running kernel's context, and `data` valid for `len` floats that
    /// nothing else touches meanwhile.
    pub(crate) unsafe fn in_place(
        &self,
        ctx: *const ort::sys::OrtKernelContext,
        data: *mut f32,
        len: usize,
    ) -> ort::Result<()> {
        let view = self.view(data, &[len as i64])?;
        let value = view.0.as_ptr();
        // SAFETY: the kernel from the view to itself (an elementwise kernel reads each element
        // before it writes it); the context is the running kernel's (the caller's contract).
        unsafe { self.invoke(ctx, &[value.cast_const()], value) }
    }

    /// A tensor of `dims` over the floats at `data`, which must stay valid while it lives
    /// (the input views are only read: the kernels never write their inputs).
    fn view(&self, data: *mut f32, dims: &[i64]) -> ort::Result<OwnedValue> {
        let len: i64 = dims.iter().product();
        let mut value = ptr::null_mut();
        // SAFETY: `data` addresses `len` floats (the callers' contract); `dims` has
        // `dims.len()` entries. The value does not own the data.
        let status = unsafe {
            (ort::api().CreateTensorWithDataAsOrtValue)(
                self.memory.ptr(),
                data.cast(),
                len as usize * size_of::<f32>(),
                dims.as_ptr(),
                dims.len(),
                FLOAT,
                &mut value,
            )
        };
        check(status)?;
        NonNull::new(value)
            .map(OwnedValue)
            .ok_or_else(|| ort::Error::new("no tensor view"))
    }

    /// `InvokeOp` of the kernel from `inputs` to `output`.
    ///
    /// # Safety
    /// `ctx` must be the running kernel's context, `inputs` and `output` valid tensors for
    /// the kernel for the call.
    unsafe fn invoke(
        &self,
        ctx: *const ort::sys::OrtKernelContext,
        inputs: &[*const ort::sys::OrtValue],
        output: *mut ort::sys::OrtValue,
    ) -> ort::Result<()> {
        let outputs = [output];
        // SAFETY: the context is the running kernel's; the op is a live kernel; the input
        // and output values are valid per the caller's contract.
        let status = unsafe {
            (ort::api().InvokeOp)(
                ctx,
                self.op.0.as_ptr(),
                inputs.as_ptr(),
                inputs.len() as i32,
                outputs.as_ptr(),
                1,
            )
        };
        check(status)
    }
}

/// The first 64-byte aligned float of `buffer` (u128s are 16-byte aligned, so it is one of
/// the first four: `buffer` must hold four more than the floats used from there).
pub(crate) fn aligned(buffer: &mut [u128]) -> *mut f32 {
    let p = buffer.as_mut_ptr().cast::<f32>();
    // SAFETY: the offset to a 64-byte bound is below 16 floats, within four u128s (the
    // caller's buffer holds more than that).
    unsafe { p.add(p.align_offset(ALIGN)) }
}

/// An `OrtValue` made here, released on drop.
struct OwnedValue(NonNull<ort::sys::OrtValue>);

impl Drop for OwnedValue {
    fn drop(&mut self) {
        // SAFETY: made by `CreateTensorWithDataAsOrtValue` and released once, here; it does
        // not own the data it views.
        unsafe { (ort::api().ReleaseValue)(self.0.as_ptr()) }
    }
}

/// How many pieces `elements` make.
fn piece_count(elements: usize) -> usize {
    (elements / MIN_PIECE).clamp(1, MAX_PIECES)
}

/// The bounds of the `Sin` pieces of `len` floats whose output starts at address `out`:
/// `0`, inner bounds that are multiples of [`ALIGN`] bytes, then `len`. Only `[0, len]` (one
/// piece) when the tensor is small or the output is not [`ALIGN`]-aligned.
fn sin_pieces(len: usize, out: usize) -> Vec<usize> {
    let pieces = piece_count(len);
    let step = ALIGN / size_of::<f32>();
    let mut bounds = vec![0];
    if out.is_multiple_of(ALIGN) {
        for k in 1..pieces {
            let at = (k * len / pieces).div_ceil(step) * step;
            if at > bounds[bounds.len() - 1] && at < len {
                bounds.push(at);
            }
        }
    }
    bounds.push(len);
    bounds
}

/// The channel bounds of the `InstanceNormalization` pieces of an input of `shape` with
/// `scales` scales and `biases` biases: `[0, …, channels]`; only `[0, channels]` (one piece)
/// unless the batch is 1, the scales and biases are one per channel and the tensor is large.
fn norm_pieces(shape: &[i64], scales: usize, biases: usize) -> Vec<usize> {
    let (Some(&1), Some(&channels)) = (shape.first(), shape.get(1)) else {
        return vec![0, shape.get(1).map_or(0, |&c| c.max(0) as usize)];
    };
    let channels = channels.max(0) as usize;
    let elements: usize = shape.iter().map(|&d| d.max(0) as usize).product();
    if shape.len() < 3 || scales != channels || biases != channels {
        return vec![0, channels];
    }
    let pieces = piece_count(elements).min(channels.max(1));
    let mut bounds: Vec<usize> = (0..pieces).map(|k| k * channels / pieces).collect();
    bounds.dedup();
    bounds.push(channels);
    bounds
}

/// Just enough protobuf to walk an ONNX model and write a few fields.
mod proto {
    pub(super) const VARINT: u8 = 0;
    pub(super) const LEN: u8 = 2;

    /// One field of a message.
    pub(super) struct Field<'a> {
        pub(super) number: u64,
        /// The whole field: tag, length and payload.
        pub(super) raw: &'a [u8],
        /// The payload of a length-delimited field.
        pub(super) payload: Option<&'a [u8]>,
    }

    impl Field<'_> {
        /// Where `raw` lies in `message`, which holds it.
        pub(super) fn span(&self, message: &[u8]) -> std::ops::Range<usize> {
            let start = self.raw.as_ptr() as usize - message.as_ptr() as usize;
            start..start + self.raw.len()
        }
    }

    pub(super) fn varint(buf: &[u8], at: &mut usize) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *buf.get(*at)?;
            *at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// The value of a varint field.
    pub(super) fn varint_value(field: &Field<'_>) -> Option<u64> {
        let mut at = 0;
        varint(field.raw, &mut at)?;
        varint(field.raw, &mut at)
    }

    /// The fields of `message`, in order; `None` if it is not well formed.
    pub(super) fn fields(message: &[u8]) -> Option<Vec<Field<'_>>> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < message.len() {
            let start = at;
            let tag = varint(message, &mut at)?;
            let payload = match (tag & 7) as u8 {
                VARINT => {
                    varint(message, &mut at)?;
                    None
                }
                1 => {
                    at = at.checked_add(8)?;
                    None
                }
                LEN => {
                    let len = usize::try_from(varint(message, &mut at)?).ok()?;
                    let end = at.checked_add(len)?;
                    let payload = message.get(at..end)?;
                    at = end;
                    Some(payload)
                }
                5 => {
                    at = at.checked_add(4)?;
                    None
                }
                _ => return None,
            };
            out.push(Field {
                number: tag >> 3,
                raw: message.get(start..at)?,
                payload,
            });
        }
        Some(out)
    }

    pub(super) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
        while value >= 0x80 {
            out.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    pub(super) fn put_tag(out: &mut Vec<u8>, number: u64, wire: u8) {
        put_varint(out, number << 3 | u64::from(wire));
    }

    /// A length-delimited field.
    pub(super) fn len_field(number: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(payload.len() + 6);
        put_tag(&mut out, number, LEN);
        put_varint(&mut out, payload.len() as u64);
        out.extend_from_slice(payload);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wide_sin_is_checked_against_onnx_runtimes_and_used() {
        // The kernel probe's Sin and snake nodes run; the check compares the wide `sin` with
        // this ONNX Runtime's own kernel and finds them equal, so the runs use it (and
        // `tests/parallel_kernels.rs` compares the whole outputs).
        let probe =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kernel_probe.onnx");
        let model =
            crate::AcousticModel::load(&probe, &crate::ModelOptions::new().with_intra_threads(2))
                .unwrap_or_else(|e| panic!("the probe loads: {e}"));
        let ids: Vec<i64> = (0..40).map(|t| 1 + (t * 37) % 177).collect();
        let style = vec![0.1f32; crate::STYLE_DIM];
        model
            .run(&ids, &style, 1.0)
            .unwrap_or_else(|e| panic!("the probe runs: {e}"));
        // (Where the wide `sin` cannot run, the check says no without comparing.)
        assert_eq!(SIN_IS_EXACT.get(), Some(&sin::available()));
    }

    #[test]
    fn sin_pieces_start_on_aligned_addresses() {
        for len in [
            1,
            100,
            MIN_PIECE,
            2 * MIN_PIECE,
            2 * MIN_PIECE + 3,
            1_000_003,
        ] {
            let b = sin_pieces(len, 4096);
            assert_eq!(b.first(), Some(&0));
            assert_eq!(b.last(), Some(&len));
            assert!(b.windows(2).all(|w| w[0] < w[1]), "{b:?}");
            assert!(
                b[1..b.len() - 1].iter().all(|&i| i * 4 % ALIGN == 0),
                "len {len}: {b:?}"
            );
            assert_eq!(b.len() - 1, piece_count(len), "len {len}: {b:?}");
        }
        assert_eq!(piece_count(1_000_003), MAX_PIECES);
        // An unaligned output is one piece.
        assert_eq!(sin_pieces(1_000_003, 4096 + 4), vec![0, 1_000_003]);
    }

    #[test]
    fn instance_norm_pieces_are_channel_ranges_of_one_batch() {
        let b = norm_pieces(&[1, 64, 4096], 64, 64);
        assert_eq!(b, vec![0, 8, 16, 24, 32, 40, 48, 56, 64]);
        assert_eq!(norm_pieces(&[1, 3, 100_000], 3, 3), vec![0, 1, 2, 3]);
        // Small, batched, odd scales or no spatial axis: one piece.
        assert_eq!(norm_pieces(&[1, 64, 10], 64, 64), vec![0, 64]);
        assert_eq!(norm_pieces(&[2, 64, 4096], 64, 64), vec![0, 64]);
        assert_eq!(norm_pieces(&[1, 64, 4096], 1, 64), vec![0, 64]);
        assert_eq!(norm_pieces(&[1, 64], 64, 64), vec![0, 64]);
        assert_eq!(norm_pieces(&[], 0, 0), vec![0, 0]);
    }

    fn node(op: &str, domain: Option<&str>) -> Vec<u8> {
        let mut n = proto::len_field(1, b"x");
        n.extend(proto::len_field(2, b"y"));
        n.extend(proto::len_field(4, op.as_bytes()));
        if let Some(d) = domain {
            n.extend(proto::len_field(7, d.as_bytes()));
        }
        n
    }

    #[test]
    fn the_rewrite_renames_standard_nodes_of_the_top_level_graph_only() {
        let mut graph = proto::len_field(1, &node("Sin", None));
        graph.extend(proto::len_field(1, &node("Cos", None)));
        graph.extend(proto::len_field(
            1,
            &node("InstanceNormalization", Some("ai.onnx")),
        ));
        graph.extend(proto::len_field(1, &node("Sin", Some("com.other"))));
        graph.extend(proto::len_field(2, b"g"));
        let mut model = vec![0x08, 0x08]; // ir_version 8
        model.extend(proto::len_field(7, &graph));
        let out = parallelise(&model).unwrap_or_default();
        let fields = proto::fields(&out).unwrap_or_default();
        assert_eq!(fields.first().map(|f| f.raw), Some(&[0x08, 0x08][..]));
        let g = fields
            .iter()
            .find(|f| f.number == 7)
            .and_then(|f| f.payload);
        let nodes: Vec<(Vec<u8>, Vec<u8>)> = proto::fields(g.unwrap_or_default())
            .unwrap_or_default()
            .iter()
            .filter(|f| f.number == 1)
            .map(|f| {
                let n = proto::fields(f.payload.unwrap_or_default()).unwrap_or_default();
                let get = |k| {
                    n.iter()
                        .find(|f| f.number == k)
                        .and_then(|f| f.payload)
                        .unwrap_or_default()
                        .to_vec()
                };
                (get(4), get(7))
            })
            .collect();
        let expected: Vec<(Vec<u8>, Vec<u8>)> = [
            ("ParallelSin", DOMAIN),
            ("Cos", ""),
            ("ParallelInstanceNormalization", DOMAIN),
            ("Sin", "com.other"),
        ]
        .iter()
        .map(|(o, d)| (o.as_bytes().to_vec(), d.as_bytes().to_vec()))
        .collect();
        assert_eq!(nodes, expected);
        // The graph's other fields and the domain's import.
        assert!(g.is_some_and(|g| g.ends_with(&proto::len_field(2, b"g"))));
        let import = fields
            .iter()
            .find(|f| f.number == 8)
            .and_then(|f| f.payload);
        let mut expected_import = proto::len_field(1, DOMAIN.as_bytes());
        expected_import.extend([0x10, 0x01]);
        assert_eq!(import, Some(&expected_import[..]));
    }

    #[test]
    fn a_model_without_such_nodes_or_not_protobuf_is_left_alone() {
        let graph = proto::len_field(1, &node("Cos", None));
        let model = proto::len_field(7, &graph);
        assert_eq!(parallelise(&model), None);
        assert_eq!(parallelise(b"\xff\xff\xff"), None);
        assert_eq!(parallelise(b""), None);
        // A length running past the end.
        assert_eq!(parallelise(&[0x3a, 0x10, 0x0a]), None);
        // A model with a domain of that name of its own.
        let graph = proto::len_field(1, &node("Sin", None));
        let mut model = proto::len_field(7, &graph);
        assert!(parallelise(&model).is_some());
        model.extend(proto::len_field(8, &proto::len_field(1, DOMAIN.as_bytes())));
        assert_eq!(parallelise(&model), None);
    }
}
