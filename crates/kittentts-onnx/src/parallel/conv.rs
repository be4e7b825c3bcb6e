//! ONNX's `ConvInteger` for one-dimensional convolutions, computed directly (no `im2col`), on
//! every intra-op thread, with the very same results.
//!
//! The int8 KittenTTS models quantise each convolution dynamically: `DynamicQuantizeLinear`
//! makes its input uint8, `ConvInteger` convolves it with int8 weights into int32, and a `Cast`
//! and `Mul` make floats again. ONNX Runtime 1.32's CPU `ConvInteger` copies its input into a
//! column matrix (`im2col`) before an integer GEMM: on the stand-in nano int8 model it is 77%
//! of a run (ONNX Runtime's profiler, 1 thread, 75 ids: 1,688 of 2,186 ms).
//!
//! [`find`] renames the top-level `ConvInteger` nodes that this kernel takes (one spatial axis,
//! one group, stride 1, explicit pads, uint8 input from `DynamicQuantizeLinear`, int8 or uint8
//! weights from an initializer, scalar zero points) to an operator of [`super::DOMAIN`]. Its
//! kernel computes `y[n, o, t] = Σ_c Σ_k (x[n, c, t + k·d − p] − x₀) · (w[o, c, k] − w₀)`, with
//! the padding equal to `x₀` as in ONNX Runtime. The products and sums are of integers
//! that fit in 32 bits, so the order of the sums does not change the result: the output is bit
//! for bit ONNX Runtime's, whatever the tiling and the thread count.
//!
//! The inner loop is AVX2's `vpmaddwd` (two 16-bit products summed into 32 bits) on pairs of
//! input channels, over tiles of 4 output channels by 16 positions; the positions are cut into
//! blocks run on the session's intra-op pool. The rewrite happens only on x86-64 CPUs with
//! AVX2 (the optimised-model cache is keyed by the CPU's features); a portable loop with the
//! same results stands in should the kernel ever run elsewhere.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use ort::operator::{
    ComputeContext, Kernel, KernelContext, Operator, OperatorInput, OperatorOutput,
    ShapeInferenceContext,
};
use ort::value::TensorElementType;

use super::fuse::{Graph, Node, last};
use super::proto;

/// Output positions per block (a task of the pool).
const BLOCK: usize = 256;
/// Output channels per tile.
const MR: usize = 4;
/// Output positions per tile (two AVX2 registers of 32-bit sums).
const NR: usize = 16;

/// ONNX's `TensorProto.DataType` of the weights.
const UINT8: u64 = 2;
const INT8: u64 = 3;

/// The weights' element type, which names the operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Weights {
    /// int8 weights (`ConvInteger1dU8S8`).
    I8,
    /// uint8 weights (`ConvInteger1dU8U8`).
    U8,
}

impl Weights {
    pub(super) const ALL: [Weights; 2] = [Weights::I8, Weights::U8];

    fn name(self) -> &'static str {
        match self {
            Weights::I8 => "ConvInteger1dU8S8",
            Weights::U8 => "ConvInteger1dU8U8",
        }
    }

    fn element(self) -> TensorElementType {
        match self {
            Weights::I8 => TensorElementType::Int8,
            Weights::U8 => TensorElementType::Uint8,
        }
    }

    fn data_type(self) -> u64 {
        match self {
            Weights::I8 => INT8,
            Weights::U8 => UINT8,
        }
    }
}

/// Whether this CPU runs the fast kernel (the rewrite is made only then).
pub(super) fn supported() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// An initializer, as far as [`find`] needs it.
struct Initializer {
    dims: Vec<i64>,
    data_type: u64,
}

impl Initializer {
    /// A `TensorProto`'s dimensions and element type.
    fn parse(tensor: &[u8]) -> Option<Self> {
        let fields = proto::fields(tensor)?;
        let mut dims = Vec::new();
        let mut data_type = 0;
        for f in &fields {
            match f.number {
                1 => dims.extend(ints(f)?),
                2 => data_type = proto::varint_value(f)?,
                _ => {}
            }
        }
        Some(Initializer { dims, data_type })
    }

    fn elements(&self) -> i64 {
        self.dims.iter().product()
    }
}

/// The integers of a repeated int64 field, packed or not.
fn ints(field: &proto::Field<'_>) -> Option<Vec<i64>> {
    match field.payload {
        Some(packed) => {
            let mut out = Vec::new();
            let mut at = 0;
            while at < packed.len() {
                out.push(proto::varint(packed, &mut at)? as i64);
            }
            Some(out)
        }
        None => Some(vec![proto::varint_value(field)? as i64]),
    }
}

/// The attributes of a `ConvInteger` node that this kernel takes: the dilation and the pads;
/// `None` for any other attribute or value.
fn attributes(node: &Node<'_>) -> Option<(i64, [i64; 2])> {
    let mut dilation = 1;
    let mut pads = [0, 0];
    for raw in &node.attributes {
        let outer = proto::fields(raw)?;
        let body = outer.first()?.payload?;
        let fields = proto::fields(body)?;
        let name = last(&fields, 1)?;
        let ints: Vec<i64> = fields
            .iter()
            .filter(|f| f.number == 8)
            .map(ints)
            .collect::<Option<Vec<_>>>()?
            .concat();
        let int = fields
            .iter()
            .rev()
            .find(|f| f.number == 3)
            .map(proto::varint_value);
        match name {
            b"group" => (int == Some(Some(1))).then_some(())?,
            b"strides" => ints.iter().all(|&s| s == 1).then_some(())?,
            b"auto_pad" => matches!(last(&fields, 4), None | Some(b"NOTSET")).then_some(())?,
            b"kernel_shape" => (ints.len() == 1).then_some(())?,
            b"dilations" => match ints[..] {
                [d] if d >= 1 => dilation = d,
                _ => return None,
            },
            b"pads" => match ints[..] {
                [a, b] if a >= 0 && b >= 0 => pads = [a, b],
                _ => return None,
            },
            _ => return None,
        }
    }
    Some((dilation, pads))
}

/// The `ConvInteger` nodes of `graph` that this kernel takes, by their index among its nodes,
/// each with its rewritten `NodeProto`.
pub(super) fn find(graph: &Graph<'_>) -> HashMap<usize, Vec<u8>> {
    let Graph {
        nodes, producer, ..
    } = graph;
    let initializer = |name: &[u8]| Initializer::parse(graph.initializers.get(name)?);
    let mut out = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if !(node.standard
            && node.op == b"ConvInteger"
            && node.outputs.len() == 1
            && (2..=4).contains(&node.inputs.len())
            && !node.has_subgraph)
        {
            continue;
        }
        let input = |k: usize| node.inputs.get(k).copied().filter(|v| !v.is_empty());
        let taken = (|| {
            attributes(node)?;
            // The input is a DynamicQuantizeLinear's uint8 output, its zero point that node's.
            let &(q, 0) = producer.get(input(0)?)? else {
                return None;
            };
            let quantizer = &nodes[q];
            if !(quantizer.standard && quantizer.op == b"DynamicQuantizeLinear") {
                return None;
            }
            if let Some(zero) = input(2) {
                (producer.get(zero) == Some(&(q, 2))).then_some(())?;
            }
            let w = initializer(input(1)?)?;
            let weights = Weights::ALL
                .into_iter()
                .find(|k| k.data_type() == w.data_type)?;
            (w.dims.len() == 3 && w.elements() > 0).then_some(())?;
            if let Some(zero) = input(3) {
                let z = initializer(zero)?;
                (z.data_type == w.data_type && z.elements() == 1).then_some(())?;
            }
            Some(weights)
        })();
        if let Some(new) = taken.and_then(|weights| renamed(node.raw, weights)) {
            out.insert(i, new);
        }
    }
    out
}

/// `node` as the operator of `weights` in [`super::DOMAIN`], its inputs, outputs and
/// attributes kept.
fn renamed(node: &[u8], weights: Weights) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(node.len() + 48);
    for f in proto::fields(node)?
        .iter()
        .filter(|f| f.number != 4 && f.number != 7)
    {
        out.extend_from_slice(f.raw);
    }
    out.extend(proto::len_field(4, weights.name().as_bytes()));
    out.extend(proto::len_field(7, super::DOMAIN.as_bytes()));
    Some(out)
}

/// The operator of [`Weights`] (see the module docs). Inputs: `x` (uint8), `w`, and the
/// optional zero points of `x` and `w`; output: int32 `[N, M, L′]`.
pub(super) struct ConvInteger1d(pub(super) Weights);

impl Operator for ConvInteger1d {
    type Kernel<'attr> = ConvKernel;

    fn name(&self) -> &str {
        self.0.name()
    }

    fn inputs(&self) -> impl IntoIterator<Item = OperatorInput> {
        [
            OperatorInput::required(TensorElementType::Uint8),
            OperatorInput::required(self.0.element()),
            OperatorInput::optional(TensorElementType::Uint8),
            OperatorInput::optional(self.0.element()),
        ]
    }

    fn outputs(&self) -> impl IntoIterator<Item = OperatorOutput> {
        [OperatorOutput::required(TensorElementType::Int32)]
    }

    fn infer_shape(&self, ctx: &mut ShapeInferenceContext) -> ort::Result<()> {
        // [N of x, M of w, a length of its own].
        let (x_dims, x_names) = super::input_shape(ctx, 0)?;
        let (w_dims, w_names) = super::input_shape(ctx, 1)?;
        if x_dims.len() != 3 || w_dims.len() != 3 {
            return Ok(());
        }
        let dims = [x_dims[0], w_dims[0], -1];
        let names = [x_names[0].clone(), w_names[0].clone(), None];
        super::set_output_shape(
            ctx,
            ort::sys::ONNXTensorElementDataType::ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32,
            &dims,
            &names,
            self.0.name(),
        )
    }

    fn create_kernel<'attr>(&self, info: &KernelContext<'attr>) -> ort::Result<ConvKernel> {
        let name = self.0.name();
        let dilation = match info.get::<Vec<i64>>("dilations").as_deref() {
            None => 1,
            Some(&[d]) if d >= 1 => d as usize,
            Some(other) => return Err(ort::Error::new(format!("{name}: dilations {other:?}"))),
        };
        let pads = match info.get::<Vec<i64>>("pads").as_deref() {
            None => [0, 0],
            Some(&[a, b]) if a >= 0 && b >= 0 => [a as usize, b as usize],
            Some(other) => return Err(ort::Error::new(format!("{name}: pads {other:?}"))),
        };
        Ok(ConvKernel {
            weights: self.0,
            dilation,
            pads,
            packed: OnceLock::new(),
        })
    }
}

/// The kernel of [`ConvInteger1d`].
pub(super) struct ConvKernel {
    weights: Weights,
    dilation: usize,
    /// Zeros before and after the input, at the padding's value (`x₀`).
    pads: [usize; 2],
    /// The weights packed for the tiles, made by the first run (the weights are an
    /// initializer: the same values at the same address in every run) and shared with the
    /// other sessions' kernels of the same weights ([`shared`]).
    packed: OnceLock<Packed>,
}

/// Weights packed for [`tile`]: for each block of [`MR`] output channels, for each pair of
/// input channels, for each tap, [`MR`] pairs of 16-bit values `w − w₀` (zero past the last
/// channel).
struct Packed {
    /// The address and length of the weights they were packed from, and their zero point.
    source: (usize, usize, i16),
    values: Arc<[i32]>,
}

/// The packed weights that some kernel of the process holds, by a hash of their values.
type Registry = HashMap<u64, Vec<Weak<[i32]>>>;

/// `fresh`, or the copy of the same values that a kernel of this process already holds.
///
/// Each session of a model has its own kernels, and each kernel packs its weights on its first
/// run; packed, they take twice the bytes of int8 weights (99 MB for the 78 convolutions of
/// the stand-in mini). With this, the sessions of a process hold one copy: three short texts
/// with two sessions peaked at 507 MB before, 426–463 MB after (one session: 313 MB). Copies
/// are found by their values, compared in full, so kernels of different models never mix; a
/// copy is freed with the last kernel that holds it.
fn shared(fresh: Vec<i32>) -> Arc<[i32]> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    fresh.hash(&mut hasher);
    let key = hasher.finish();
    // The registry holds only weak references, consistent after any panic.
    let mut registry = REGISTRY
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    registry.retain(|_, copies| {
        copies.retain(|c| c.strong_count() > 0);
        !copies.is_empty()
    });
    let copies = registry.entry(key).or_default();
    if let Some(held) = copies
        .iter()
        .filter_map(Weak::upgrade)
        .find(|held| **held == *fresh)
    {
        return held;
    }
    let values: Arc<[i32]> = fresh.into();
    copies.push(Arc::downgrade(&values));
    values
}

/// A convolution's sizes.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    cin: usize,
    len: usize,
    cout: usize,
    taps: usize,
    dilation: usize,
    pad: usize,
    out_len: usize,
}

impl Geometry {
    /// Input positions a tile reads beyond its own width.
    fn span(&self) -> usize {
        self.dilation * (self.taps - 1)
    }

    fn pairs(&self) -> usize {
        self.cin.div_ceil(2)
    }
}

/// Two 16-bit values in one 32-bit lane, `lo` first (as `vpmaddwd` reads them).
fn pair(lo: i16, hi: i16) -> i32 {
    (u32::from(lo as u16) | (u32::from(hi as u16) << 16)) as i32
}

fn pack(w: &[i16], g: &Geometry) -> Vec<i32> {
    let blocks = g.cout.div_ceil(MR);
    let mut out = Vec::with_capacity(blocks * g.pairs() * g.taps * MR);
    let at = |o: usize, c: usize, k: usize| {
        if o < g.cout && c < g.cin {
            w[(o * g.cin + c) * g.taps + k]
        } else {
            0
        }
    };
    for b in 0..blocks {
        for p in 0..g.pairs() {
            for k in 0..g.taps {
                for r in 0..MR {
                    let o = b * MR + r;
                    out.push(pair(at(o, 2 * p, k), at(o, 2 * p + 1, k)));
                }
            }
        }
    }
    out
}

/// A run's output, shared with the pool's threads: each block writes its own positions.
#[derive(Clone, Copy)]
struct Out(*mut i32);

// SAFETY: blocks write disjoint ranges of positions of the output, which outlives the
// `par_for` call that uses it.
unsafe impl Send for Out {}
// SAFETY: as above.
unsafe impl Sync for Out {}

impl Kernel for ConvKernel {
    fn compute(&mut self, ctx: &ComputeContext) -> ort::Result<()> {
        let name = self.weights.name();
        let missing = |i| ort::Error::new(format!("{name}: no input {i}"));
        let x = ctx.input(0)?.ok_or_else(|| missing(0))?;
        let w = ctx.input(1)?.ok_or_else(|| missing(1))?;
        let (x_dims, x) = x.try_extract_tensor::<u8>()?;
        let x_zero = match ctx.input(2)? {
            Some(v) => i16::from(scalar(v.try_extract_tensor::<u8>()?.1, name)?),
            None => 0,
        };
        let (w_dims, w) = match self.weights {
            Weights::I8 => {
                let (dims, data) = w.try_extract_tensor::<i8>()?;
                let zero = match ctx.input(3)? {
                    Some(v) => i16::from(scalar(v.try_extract_tensor::<i8>()?.1, name)?),
                    None => 0,
                };
                (dims.to_vec(), WeightValues::I8(data, zero))
            }
            Weights::U8 => {
                let (dims, data) = w.try_extract_tensor::<u8>()?;
                let zero = match ctx.input(3)? {
                    Some(v) => i16::from(scalar(v.try_extract_tensor::<u8>()?.1, name)?),
                    None => 0,
                };
                (dims.to_vec(), WeightValues::U8(data, zero))
            }
        };
        let dims = |d: &[i64]| -> Option<[usize; 3]> {
            match *d {
                [a, b, c] => Some([
                    usize::try_from(a).ok()?,
                    usize::try_from(b).ok()?,
                    usize::try_from(c).ok()?,
                ]),
                _ => None,
            }
        };
        let ([batch, cin, len], Some([cout, w_cin, taps])) = (
            dims(&x_dims[..]).ok_or_else(|| {
                ort::Error::new(format!("{name}: input of shape {:?}", &x_dims[..]))
            })?,
            dims(&w_dims),
        ) else {
            return Err(ort::Error::new(format!(
                "{name}: weights of shape {w_dims:?}"
            )));
        };
        let span = self.dilation * taps.saturating_sub(1);
        let padded = len + self.pads[0] + self.pads[1];
        if w_cin != cin || taps == 0 || padded < span + 1 {
            return Err(ort::Error::new(format!(
                "{name}: input {:?} and weights {w_dims:?} (dilation {}, pads {:?}) make no output",
                &x_dims[..],
                self.dilation,
                self.pads
            )));
        }
        let g = Geometry {
            cin,
            len,
            cout,
            taps,
            dilation: self.dilation,
            pad: self.pads[0],
            out_len: padded - span,
        };
        let mut output = ctx
            .output(0, vec![batch as i64, cout as i64, g.out_len as i64])?
            .ok_or_else(|| ort::Error::new(format!("{name}: no output")))?;
        let y = output.try_extract_tensor_mut::<i32>()?.1;
        if y.is_empty() {
            return Ok(());
        }
        let fresh;
        let packed = match self.packed.get_or_init(|| {
            let packed = Packed {
                source: w.source(),
                values: shared(pack(&w.centred(), &g)),
            };
            // Never read again (int8 or uint8: one byte each).
            let (address, len, _) = packed.source;
            release_pages(address, len);
            packed
        }) {
            p if p.source == w.source() => &p.values[..],
            _ => {
                fresh = pack(&w.centred(), &g);
                &fresh[..]
            }
        };
        let blocks = g.out_len.div_ceil(BLOCK);
        for n in 0..batch {
            let x = &x[n * cin * len..(n + 1) * cin * len];
            let out = Out(y[n * cout * g.out_len..].as_mut_ptr());
            let run = |b: usize| {
                let t0 = b * BLOCK;
                // SAFETY: block `b` writes positions `t0..t0 + BLOCK` of every output row of
                // batch `n`, which no other block writes.
                unsafe { block(&g, x, x_zero, packed, t0, (t0 + BLOCK).min(g.out_len), out) };
            };
            if blocks == 1 {
                run(0);
            } else {
                let failed = Mutex::new(());
                ctx.par_for(blocks, 0, |b| {
                    // A panic here would cross ONNX Runtime's thread pool: keep it inside.
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(b))).is_err() {
                        drop(failed.lock());
                    }
                })?;
                if failed.is_poisoned() {
                    return Err(ort::Error::new(format!("{name}: a block panicked")));
                }
            }
        }
        Ok(())
    }
}

/// Lets the kernel hand back the memory pages that lie wholly in `len` bytes at `address`:
/// the weights, which it reads once to pack them and never again.
///
/// The weights are an initializer that ONNX Runtime maps from the optimised model's weights
/// file; each session maps it on its own, and the pages that a session has read count in the
/// process's resident memory once per session. `MADV_PAGEOUT` (Linux 5.4) drops them from
/// this process's mappings without changing their contents (a later read would fault them in
/// from the file again): on the stand-in mini model, 48 MB of the 563 MB peak of `speak` on a
/// paragraph. Elsewhere, on older kernels and for weights in anonymous memory (a session made
/// from the model's bytes, with no swap to page them out to) it does nothing.
fn release_pages(address: usize, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        const MADV_PAGEOUT: std::ffi::c_int = 21;
        unsafe extern "C" {
            fn madvise(
                addr: *mut std::ffi::c_void,
                len: usize,
                advice: std::ffi::c_int,
            ) -> std::ffi::c_int;
        }
        let start = address.div_ceil(PAGE) * PAGE;
        let end = (address + len) / PAGE * PAGE;
        if end > start {
            // SAFETY: the range lies within the weights, a live tensor that ONNX Runtime
            // keeps mapped while the session lives; `MADV_PAGEOUT` only reclaims pages,
            // never changes what they hold. A failure (an older kernel) changes nothing.
            let failed =
                unsafe { madvise(start as *mut std::ffi::c_void, end - start, MADV_PAGEOUT) } != 0;
            if failed {
                tracing::trace!("madvise(MADV_PAGEOUT) failed on the convolution's weights");
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (address, len);
}

/// A run's weights and their zero point.
enum WeightValues<'a> {
    I8(&'a [i8], i16),
    U8(&'a [u8], i16),
}

impl WeightValues<'_> {
    /// The weights' address, length and zero point (what [`Packed`] was made from).
    fn source(&self) -> (usize, usize, i16) {
        match self {
            WeightValues::I8(w, zero) => (w.as_ptr() as usize, w.len(), *zero),
            WeightValues::U8(w, zero) => (w.as_ptr() as usize, w.len(), *zero),
        }
    }

    /// `w − w₀`.
    fn centred(&self) -> Vec<i16> {
        match self {
            WeightValues::I8(w, zero) => w.iter().map(|&v| i16::from(v) - zero).collect(),
            WeightValues::U8(w, zero) => w.iter().map(|&v| i16::from(v) - zero).collect(),
        }
    }
}

/// The one value of a zero point.
fn scalar<T: Copy>(values: &[T], name: &str) -> ort::Result<T> {
    match values {
        [v] => Ok(*v),
        _ => Err(ort::Error::new(format!(
            "{name}: a zero point of {} values (one expected)",
            values.len()
        ))),
    }
}

/// Output positions `t0..t1` of every channel of one batch's convolution.
///
/// # Safety
/// `out` must address the batch's `[cout, out_len]` output, and nothing else may touch its
/// positions `t0..t1` meanwhile.
unsafe fn block(
    g: &Geometry,
    x: &[u8],
    x_zero: i16,
    packed: &[i32],
    t0: usize,
    t1: usize,
    out: Out,
) {
    let tiles = (t1 - t0).div_ceil(NR);
    let width = tiles * NR + g.span();
    // The input's pairs of channels at the block's positions, `x − x₀`: zero in the padding
    // and past the last channel.
    let mut xs = vec![0i32; g.pairs() * width];
    // Position j of the block's input is x's position t0 + j − pad.
    let first = g.pad.saturating_sub(t0).min(width);
    let end = (g.len + g.pad).saturating_sub(t0).min(width);
    for (p, row) in xs.chunks_exact_mut(width).enumerate() {
        let channel = |c: usize| (c < g.cin).then(|| &x[c * g.len..(c + 1) * g.len]);
        let (lo, hi) = (channel(2 * p), channel(2 * p + 1));
        let at = (t0 + first).saturating_sub(g.pad);
        for (j, slot) in row[first..end.max(first)].iter_mut().enumerate() {
            let v = |c: Option<&[u8]>| c.map_or(0, |c| i16::from(c[at + j]) - x_zero);
            *slot = pair(v(lo), v(hi));
        }
    }
    let per_block = g.pairs() * g.taps * MR;
    for (b, weights) in packed.chunks_exact(per_block).enumerate() {
        for tile_index in 0..tiles {
            let sums = tile(&xs[tile_index * NR..], width, weights, g);
            let t = t0 + tile_index * NR;
            let cols = NR.min(t1 - t);
            for (r, row) in sums.iter().enumerate() {
                let o = b * MR + r;
                if o >= g.cout {
                    break;
                }
                // SAFETY: row `o` < cout, positions t..t + cols within t0..t1 ⊂ 0..out_len
                // (the caller's contract).
                unsafe {
                    std::ptr::copy_nonoverlapping(row.as_ptr(), out.0.add(o * g.out_len + t), cols);
                }
            }
        }
    }
}

/// The sums of one tile: [`MR`] output channels (of `weights`, one block of [`pack`]) by
/// [`NR`] positions, from `xs`, rows of `width` pairs starting at the tile's first position.
fn tile(xs: &[i32], width: usize, weights: &[i32], g: &Geometry) -> [[i32; NR]; MR] {
    let needed = (g.pairs() - 1) * width + g.span() + NR;
    assert!(xs.len() >= needed && weights.len() >= g.pairs() * g.taps * MR);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is present; the reads stay within `xs` and `weights` (asserted above).
        return unsafe { tile_avx2(xs.as_ptr(), width, weights.as_ptr(), g) };
    }
    tile_portable(xs, width, weights, g)
}

fn tile_portable(xs: &[i32], width: usize, weights: &[i32], g: &Geometry) -> [[i32; NR]; MR] {
    let halves = |v: i32| (i32::from(v as i16), i32::from((v >> 16) as i16));
    let mut sums = [[0i32; NR]; MR];
    let mut w = weights.chunks_exact(MR);
    for p in 0..g.pairs() {
        for k in 0..g.taps {
            let Some(ws) = w.next() else { return sums };
            let x = &xs[p * width + k * g.dilation..][..NR];
            for (row, &wv) in sums.iter_mut().zip(ws) {
                let (w_lo, w_hi) = halves(wv);
                for (s, &xv) in row.iter_mut().zip(x) {
                    let (x_lo, x_hi) = halves(xv);
                    *s = s.wrapping_add(x_lo * w_lo + x_hi * w_hi);
                }
            }
        }
    }
    sums
}

/// [`tile_portable`] with AVX2.
///
/// # Safety
/// The CPU must have AVX2; `xs` must hold `(pairs − 1) · width + span + NR` values and
/// `weights` `pairs · taps · MR`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tile_avx2(
    xs: *const i32,
    width: usize,
    weights: *const i32,
    g: &Geometry,
) -> [[i32; NR]; MR] {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi32, _mm256_loadu_si256, _mm256_madd_epi16, _mm256_set1_epi32,
        _mm256_setzero_si256, _mm256_storeu_si256,
    };
    let z = _mm256_setzero_si256();
    let (mut a0, mut a1, mut a2, mut a3, mut a4, mut a5, mut a6, mut a7) = (z, z, z, z, z, z, z, z);
    let mut w = weights;
    for p in 0..g.pairs() {
        // SAFETY (every pointer below): within the lengths of the caller's contract.
        let row = unsafe { xs.add(p * width) };
        for k in 0..g.taps {
            unsafe {
                let at = row.add(k * g.dilation);
                let x0 = _mm256_loadu_si256(at.cast::<__m256i>());
                let x1 = _mm256_loadu_si256(at.add(8).cast::<__m256i>());
                let b = _mm256_set1_epi32(*w);
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(x0, b));
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(x1, b));
                let b = _mm256_set1_epi32(*w.add(1));
                a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(x0, b));
                a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(x1, b));
                let b = _mm256_set1_epi32(*w.add(2));
                a4 = _mm256_add_epi32(a4, _mm256_madd_epi16(x0, b));
                a5 = _mm256_add_epi32(a5, _mm256_madd_epi16(x1, b));
                let b = _mm256_set1_epi32(*w.add(3));
                a6 = _mm256_add_epi32(a6, _mm256_madd_epi16(x0, b));
                a7 = _mm256_add_epi32(a7, _mm256_madd_epi16(x1, b));
                w = w.add(MR);
            }
        }
    }
    let mut sums = [[0i32; NR]; MR];
    for (row, (lo, hi)) in sums
        .iter_mut()
        .zip([(a0, a1), (a2, a3), (a4, a5), (a6, a7)])
    {
        // SAFETY: each row holds 16 values: two stores of 8.
        unsafe {
            _mm256_storeu_si256(row.as_mut_ptr().cast::<__m256i>(), lo);
            _mm256_storeu_si256(row.as_mut_ptr().add(8).cast::<__m256i>(), hi);
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ONNX's ConvInteger by its definition, one output at a time.
    fn reference(x: &[u8], x_zero: u8, w: &[i16], g: &Geometry) -> Vec<i32> {
        let mut y = vec![0i32; g.cout * g.out_len];
        for o in 0..g.cout {
            for t in 0..g.out_len {
                let mut s = 0i64;
                for c in 0..g.cin {
                    for k in 0..g.taps {
                        let at = (t + k * g.dilation) as i64 - g.pad as i64;
                        let v = if (0..g.len as i64).contains(&at) {
                            i64::from(x[c * g.len + at as usize])
                        } else {
                            i64::from(x_zero)
                        };
                        s += (v - i64::from(x_zero)) * i64::from(w[(o * g.cin + c) * g.taps + k]);
                    }
                }
                y[o * g.out_len + t] = s as i32;
            }
        }
        y
    }

    fn run(x: &[u8], x_zero: u8, w: &[i16], g: &Geometry) -> Vec<i32> {
        let packed = pack(w, g);
        let mut y = vec![i32::MIN; g.cout * g.out_len];
        let out = Out(y.as_mut_ptr());
        for t0 in (0..g.out_len).step_by(BLOCK) {
            // SAFETY: `y` is the [cout, out_len] output; the blocks are run one at a time.
            unsafe {
                block(
                    g,
                    x,
                    i16::from(x_zero),
                    &packed,
                    t0,
                    (t0 + BLOCK).min(g.out_len),
                    out,
                )
            };
        }
        y
    }

    fn geometry(
        cin: usize,
        cout: usize,
        taps: usize,
        dilation: usize,
        pads: [usize; 2],
        len: usize,
    ) -> Geometry {
        Geometry {
            cin,
            len,
            cout,
            taps,
            dilation,
            pad: pads[0],
            out_len: len + pads[0] + pads[1] - dilation * (taps - 1),
        }
    }

    #[test]
    fn the_tiles_give_the_definitions_integers() {
        let mut seed = 7u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        };
        // (cin, cout, taps, dilation, pads, len): odd channels, partial tiles and blocks,
        // asymmetric pads, an input shorter than the kernel's span, 1x1.
        let cases = [
            (64, 64, 11, 1, [5, 5], 700),
            (64, 64, 11, 5, [25, 25], 300),
            (3, 5, 3, 1, [1, 1], 17),
            (7, 6, 5, 2, [0, 3], 40),
            (5, 4, 7, 3, [9, 9], 2),
            (322, 256, 1, 1, [0, 0], 33),
            (2, 1, 1, 1, [0, 0], 1),
            (1, 9, 4, 1, [2, 1], 257),
        ];
        for (cin, cout, taps, dilation, pads, len) in cases {
            let g = geometry(cin, cout, taps, dilation, pads, len);
            let x: Vec<u8> = (0..cin * len).map(|_| next()).collect();
            let x_zero = next();
            for w_zero in [0i16, 37, -128, 255] {
                let w: Vec<i16> = (0..cout * cin * taps)
                    .map(|_| i16::from(next()) - 128 - w_zero)
                    .collect();
                let expected = reference(&x, x_zero, &w, &g);
                assert_eq!(run(&x, x_zero, &w, &g), expected, "{g:?}, w0 {w_zero}");
                // The extremes: every product at its largest.
                let x_max = vec![255u8; cin * len];
                let w_max = vec![-255i16; cout * cin * taps];
                assert_eq!(run(&x_max, 0, &w_max, &g), reference(&x_max, 0, &w_max, &g));
            }
        }
    }

    #[test]
    fn the_probe_models_convolutions_are_found_but_the_strided_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conv_probe.onnx");
        let model = std::fs::read(path).unwrap_or_default();
        let fields = proto::fields(&model).unwrap_or_default();
        let graph = fields
            .iter()
            .find(|f| f.number == 7)
            .and_then(|f| f.payload)
            .unwrap_or_default();
        let found = Graph::parse(graph).map(|g| find(&g)).unwrap_or_default();
        let mut weights: Vec<(String, &str)> = found
            .values()
            .map(|raw| {
                let node = Node::parse(raw).unwrap_or_else(|| panic!("a node"));
                let w = String::from_utf8_lossy(node.inputs[1]).into_owned();
                (w, std::str::from_utf8(node.op).unwrap_or_default())
            })
            .collect();
        weights.sort();
        let expected = [
            ("w1", "ConvInteger1dU8S8"),
            ("w2", "ConvInteger1dU8S8"),
            ("w3", "ConvInteger1dU8U8"),
            ("w4", "ConvInteger1dU8S8"),
        ];
        let expected: Vec<(String, &str)> = expected
            .iter()
            .map(|(w, o)| ((*w).to_owned(), *o))
            .collect();
        assert_eq!(weights, expected);
        // The renamed nodes keep their inputs, output and attributes.
        for raw in found.values() {
            let node = Node::parse(raw).unwrap_or_else(|| panic!("a node"));
            assert!(!node.standard);
            assert_eq!(node.outputs.len(), 1);
            assert!(node.inputs.len() >= 2);
        }
    }

    /// The resident kilobytes of this process's mapping that starts at `address`.
    #[cfg(target_os = "linux")]
    fn resident_kb(address: usize) -> usize {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap_or_default();
        let mut lines = smaps.lines();
        while let Some(line) = lines.next() {
            let start = line
                .split('-')
                .next()
                .and_then(|a| usize::from_str_radix(a, 16).ok());
            if start != Some(address) {
                continue;
            }
            return lines
                .find_map(|l| l.strip_prefix("Rss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(usize::MAX);
        }
        usize::MAX
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_weights_pages_leave_the_resident_set_and_keep_their_values() {
        unsafe extern "C" {
            fn mmap(
                addr: *mut std::ffi::c_void,
                len: usize,
                prot: std::ffi::c_int,
                flags: std::ffi::c_int,
                fd: std::ffi::c_int,
                offset: i64,
            ) -> *mut std::ffi::c_void;
            fn munmap(addr: *mut std::ffi::c_void, len: usize) -> std::ffi::c_int;
        }
        use std::os::fd::AsRawFd;
        const LEN: usize = 1 << 20;
        let bytes: Vec<u8> = (0..LEN).map(|i| (i * 7 % 251) as u8).collect();
        // Beside the sources, on a disk (a tmpfs's pages would have nowhere to go).
        let file = tempfile::tempfile_in(env!("CARGO_MANIFEST_DIR")).unwrap();
        std::io::Write::write_all(&mut &file, &bytes).unwrap();
        // Written back, as a weights file saved before: dirty pages are not paged out.
        file.sync_all().unwrap();
        // A private read-only mapping of the file, as ONNX Runtime maps the weights file.
        // SAFETY: a new mapping of LEN bytes of an open file, unmapped below.
        let at = unsafe { mmap(std::ptr::null_mut(), LEN, 1, 2, file.as_raw_fd(), 0) };
        assert!(!at.is_null() && at as isize != -1);
        // SAFETY: the mapping holds LEN readable bytes while it lives.
        let mapped = unsafe { std::slice::from_raw_parts(at.cast::<u8>(), LEN) };
        let sum = |m: &[u8]| m.iter().map(|&b| u64::from(b)).sum::<u64>();
        assert_eq!(sum(mapped), sum(&bytes));
        let before = resident_kb(at as usize);
        // The weights need not start or end on a page: only the pages wholly inside go.
        release_pages(at as usize + 100, LEN - 200);
        let after = resident_kb(at as usize);
        assert!(
            before >= 1000 && after <= 8,
            "{before} kB resident, then {after} kB"
        );
        assert!(mapped == &bytes[..]);
        // SAFETY: the mapping made above, no longer used.
        unsafe { munmap(at, LEN) };
    }

    #[test]
    fn the_portable_tile_equals_the_simd_one() {
        let g = geometry(9, 4, 3, 2, [2, 2], 40);
        let xs: Vec<i32> = (0..g.pairs() * 64)
            .map(|i| pair((i as i16 * 37) % 511 - 255, (i as i16 * 101) % 511 - 255))
            .collect();
        let w: Vec<i16> = (0..4 * 9 * 3)
            .map(|i| (i as i16 * 53) % 511 - 255)
            .collect();
        let packed = pack(&w, &g);
        let simd = tile(&xs, 64, &packed, &g);
        assert_eq!(tile_portable(&xs, 64, &packed, &g), simd);
        assert!(simd.iter().flatten().any(|&s| s != 0));
    }
}
