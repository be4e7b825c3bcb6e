//! The decoder's adaptive instance normalisation and snake activation as one operator, with
//! the very same results.
//!
//! Every residual block of the KittenTTS generator computes, on tensors of up to 64 channels
//! × 80 000 frames (21 MB each), the chain
//!
//! ```text
//! n = InstanceNormalization(x, s, c)      h = G·n + B                 (AdaIN)
//! y = h + R·sin(A·h)²                                                   (snake)
//! ```
//!
//! as eight ONNX nodes: `InstanceNormalization`, `Mul`, `Add`, `Mul`, `Sin`, `Pow` (exponent
//! 2), `Mul`, `Add`. Each reads and writes a whole tensor: on the stand-in nano model a lone
//! 250-id chunk spends about a sixth of its time in them. [`find`] finds the chain in a graph,
//! and [`AdaInSnake`] computes it in one pass of cache-sized blocks after the normalisation,
//! on the pool's threads:
//! - the normalisation is ONNX Runtime's own kernel, cut between channels like
//!   `ParallelInstanceNormalization`, writing into the output;
//! - the products and sums are single IEEE float operations in the nodes' order (`Pow` with
//!   exponent 2 is `s * s` in ONNX Runtime, checked on every float), which the order of the
//!   operands or the thread cannot change;
//! - `sin` is ONNX Runtime's own kernel ([`super::sin`] where it gives the same bits), run on a
//!   64-byte aligned copy of blocks that start at the same offsets modulo 64 bytes as in the
//!   original tensor, so that each element falls on the same side of Eigen's SIMD-packet bounds
//!   as it would have.
//!
//! `tests/parallel_kernels.rs` compares the whole model bit for bit with ONNX Runtime's own
//! nodes at every length of a probe model that holds such a chain.

use ort::AsPointer;
use std::collections::HashMap;
use std::sync::Mutex;

use ort::operator::{
    ComputeContext, Kernel, KernelContext, Operator, OperatorInput, OperatorOutput,
    ShapeInferenceContext,
};
use ort::value::TensorElementType;

use super::{Kind, MIN_PIECE, PieceKernel, proto, sin_pieces};

/// The fused operator's name in [`super::DOMAIN`].
pub(super) const NAME: &str = "AdaInSnake";

/// Elements per block of the fused pass: 64 KB of floats, which stay in the core's cache
/// between the block's steps.
const BLOCK: usize = MIN_PIECE;

/// One chain that [`find`] found: the graph's nodes (by their index among its nodes) that the
/// fused node replaces, and the fused node.
pub(super) struct Fusion {
    /// The replaced nodes; the fused node takes the place of the last one, the final `Add`.
    pub(super) replaced: [usize; 8],
    /// The fused node (a `NodeProto`).
    pub(super) node: Vec<u8>,
}

impl Fusion {
    /// The index of the node whose place the fused node takes.
    pub(super) fn place(&self) -> usize {
        self.replaced[7]
    }
}

/// A node of the graph, as far as [`find`] needs it.
pub(super) struct Node<'a> {
    pub(super) op: &'a [u8],
    /// In the default ONNX domain.
    pub(super) standard: bool,
    pub(super) name: &'a [u8],
    pub(super) inputs: Vec<&'a [u8]>,
    pub(super) outputs: Vec<&'a [u8]>,
    /// The raw `attribute` fields.
    pub(super) attributes: Vec<&'a [u8]>,
    /// The whole `NodeProto`.
    pub(super) raw: &'a [u8],
    /// Whether an attribute holds a subgraph (which may name the graph's values).
    pub(super) has_subgraph: bool,
}

impl<'a> Node<'a> {
    pub(super) fn parse(raw: &'a [u8]) -> Option<Self> {
        let mut node = Node {
            op: b"",
            standard: true,
            name: b"",
            inputs: Vec::new(),
            outputs: Vec::new(),
            attributes: Vec::new(),
            raw,
            has_subgraph: false,
        };
        for f in proto::fields(raw)? {
            match (f.number, f.payload) {
                (1, Some(p)) => node.inputs.push(p),
                (2, Some(p)) => node.outputs.push(p),
                (3, Some(p)) => node.name = p,
                (4, Some(p)) => node.op = p,
                (7, Some(p)) => node.standard = matches!(p, b"" | b"ai.onnx"),
                (5, Some(p)) => {
                    node.attributes.push(f.raw);
                    // AttributeProto: g = 6, graphs = 11.
                    node.has_subgraph |= proto::fields(p)?
                        .iter()
                        .any(|a| a.number == 6 || a.number == 11);
                }
                _ => {}
            }
        }
        Some(node)
    }

    fn is(&self, op: &str, inputs: usize) -> bool {
        self.standard
            && self.op == op.as_bytes()
            && self.inputs.len() == inputs
            && self.outputs.len() == 1
    }

    fn output(&self) -> &'a [u8] {
        self.outputs[0]
    }

    /// The input other than `value`, when `value` is exactly one of two inputs.
    fn other_input(&self, value: &[u8]) -> Option<&'a [u8]> {
        match self.inputs[..] {
            [a, b] if a == value && b != value => Some(b),
            [a, b] if b == value && a != value => Some(a),
            _ => None,
        }
    }
}

/// A `GraphProto`, read once for the rewrites that look at its nodes.
pub(super) struct Graph<'a> {
    /// The graph's fields, in order.
    pub(super) fields: Vec<proto::Field<'a>>,
    /// Its nodes, in order.
    pub(super) nodes: Vec<Node<'a>>,
    /// The names of its outputs.
    pub(super) outputs: Vec<&'a [u8]>,
    /// Its initializers (`TensorProto`s) by name.
    pub(super) initializers: HashMap<&'a [u8], &'a [u8]>,
    /// Each value's producer: the node's index and which of its outputs.
    pub(super) producer: HashMap<&'a [u8], (usize, usize)>,
    /// The indices of the nodes that read each value.
    pub(super) consumers: HashMap<&'a [u8], Vec<usize>>,
}

impl<'a> Graph<'a> {
    /// `graph` (a `GraphProto`); `None` if it is not well formed.
    pub(super) fn parse(graph: &'a [u8]) -> Option<Self> {
        let fields = proto::fields(graph)?;
        let nodes = nodes(&fields)?;
        let mut outputs = Vec::new();
        let mut initializers = HashMap::new();
        for f in &fields {
            match (f.number, f.payload) {
                // ValueInfoProto: name = 1.
                (12, Some(p)) => outputs.extend(last(&proto::fields(p)?, 1)),
                // TensorProto: name = 8.
                (5, Some(p)) => {
                    if let Some(name) = last(&proto::fields(p)?, 8) {
                        initializers.insert(name, p);
                    }
                }
                _ => {}
            }
        }
        let mut producer = HashMap::new();
        let mut consumers: HashMap<&[u8], Vec<usize>> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            for (k, &o) in node.outputs.iter().enumerate() {
                producer.insert(o, (i, k));
            }
            for &input in &node.inputs {
                consumers.entry(input).or_default().push(i);
            }
        }
        Some(Graph {
            fields,
            nodes,
            outputs,
            initializers,
            producer,
            consumers,
        })
    }
}

/// The chains of `graph` to fuse.
pub(super) fn find(graph: &Graph<'_>) -> Vec<Fusion> {
    let Graph {
        nodes,
        outputs: graph_outputs,
        initializers,
        producer,
        consumers,
        ..
    } = graph;
    let subgraphs: Vec<&Node<'_>> = nodes.iter().filter(|n| n.has_subgraph).collect();
    // A value that only the chain sees: not a graph output, not named in a subgraph, and
    // read by exactly the nodes `readers`.
    let private = |value: &[u8], readers: &[usize]| {
        let mut read = consumers.get(value).cloned().unwrap_or_default();
        read.sort_unstable();
        let mut expected = readers.to_vec();
        expected.sort_unstable();
        read == expected
            && !graph_outputs.contains(&value)
            && !subgraphs.iter().any(|n| contains(n.raw, value))
    };
    let produced = |value: &[u8]| producer.get(value).map(|&(i, _)| i);
    let two = |value: &[u8]| {
        let e = produced(value)
            .map(|i| &nodes[i])
            .filter(|n| n.is("Constant", 0))
            .map(|n| constant_is_two(&n.attributes));
        e.or_else(|| initializers.get(value).map(|t| tensor_is_two(t)))
            .unwrap_or(false)
    };
    let mut fusions = Vec::new();
    let mut taken = vec![false; nodes.len()];
    for (sin, node) in nodes.iter().enumerate() {
        if !node.is("Sin", 1) {
            continue;
        }
        let chain = (|| {
            let t = node.inputs[0];
            let scale_a = produced(t).filter(|&i| nodes[i].is("Mul", 2))?;
            let [pow] = consumers.get(node.output())?[..] else {
                return None;
            };
            let p = &nodes[pow];
            if !p.is("Pow", 2) || p.inputs[0] != node.output() || !two(p.inputs[1]) {
                return None;
            }
            let [scale_r] = consumers.get(p.output())?[..] else {
                return None;
            };
            let r = nodes[scale_r]
                .other_input(p.output())
                .filter(|_| nodes[scale_r].is("Mul", 2))?;
            let [sum] = consumers.get(nodes[scale_r].output())?[..] else {
                return None;
            };
            let h = nodes[sum]
                .other_input(nodes[scale_r].output())
                .filter(|_| nodes[sum].is("Add", 2))?;
            let a = nodes[scale_a].other_input(h)?;
            let beta = produced(h).filter(|&i| nodes[i].is("Add", 2))?;
            // h = m + B, m = G · n, n = InstanceNormalization(x, s, c); m may be either
            // input of the sum.
            let (gamma, norm, b) = nodes[beta].inputs.iter().find_map(|&m| {
                let b = nodes[beta].other_input(m)?;
                let gamma = produced(m).filter(|&i| nodes[i].is("Mul", 2))?;
                let (n, norm) = nodes[gamma].inputs.iter().find_map(|&n| {
                    Some((
                        n,
                        produced(n).filter(|&i| nodes[i].is("InstanceNormalization", 3))?,
                    ))
                })?;
                Some((gamma, norm, b)).filter(|_| nodes[gamma].other_input(n).is_some())
            })?;
            let n = nodes[norm].output();
            let g = nodes[gamma].other_input(n)?;
            let m = nodes[gamma].output();
            let readers_ok = private(n, &[gamma])
                && private(m, &[beta])
                && private(h, &[scale_a, sum])
                && private(t, &[sin])
                && private(node.output(), &[pow])
                && private(p.output(), &[scale_r])
                && private(nodes[scale_r].output(), &[sum]);
            let replaced = [norm, gamma, beta, scale_a, sin, pow, scale_r, sum];
            // The fused node computes at the final sum's place: every input of the chain is
            // made before it, as the graph's order is topological.
            (readers_ok && replaced.iter().all(|&i| !taken[i]) && sum > norm.max(gamma).max(beta))
                .then(|| {
                    let x = &nodes[norm].inputs;
                    let inputs = [x[0], x[1], x[2], g, b, a, r];
                    Fusion {
                        replaced,
                        node: fused_node(
                            &inputs,
                            nodes[sum].output(),
                            nodes[sum].name,
                            &nodes[norm].attributes,
                        ),
                    }
                })
        })();
        if let Some(f) = chain {
            for &i in &f.replaced {
                taken[i] = true;
            }
            fusions.push(f);
        }
    }
    fusions
}

/// The nodes among a `GraphProto`'s `fields`, in order; `None` if one is not well formed.
pub(super) fn nodes<'a>(fields: &[proto::Field<'a>]) -> Option<Vec<Node<'a>>> {
    fields
        .iter()
        .filter(|f| f.number == 1)
        .map(|f| f.payload.and_then(Node::parse))
        .collect()
}

/// The last payload of field `number` in `fields`.
pub(super) fn last<'a>(fields: &[proto::Field<'a>], number: u64) -> Option<&'a [u8]> {
    fields
        .iter()
        .rev()
        .find(|f| f.number == number)
        .and_then(|f| f.payload)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The `NodeProto` of the fused operator.
fn fused_node(inputs: &[&[u8]], output: &[u8], name: &[u8], attributes: &[&[u8]]) -> Vec<u8> {
    let mut node = Vec::new();
    for input in inputs {
        node.extend(proto::len_field(1, input));
    }
    node.extend(proto::len_field(2, output));
    node.extend(proto::len_field(3, name));
    node.extend(proto::len_field(4, NAME.as_bytes()));
    for a in attributes {
        node.extend_from_slice(a);
    }
    node.extend(proto::len_field(7, super::DOMAIN.as_bytes()));
    node
}

/// Whether a `Constant` node's attributes make the float scalar 2.
fn constant_is_two(attributes: &[&[u8]]) -> bool {
    let [attribute] = attributes else {
        return false;
    };
    let Some(fields) = proto::fields(attribute)
        .and_then(|f| f.first().and_then(|f| f.payload).and_then(proto::fields))
    else {
        return false;
    };
    match last(&fields, 1) {
        // AttributeProto: t = 5.
        Some(b"value") => last(&fields, 5).is_some_and(tensor_is_two),
        // f = 2, a fixed32.
        Some(b"value_float") => fields
            .iter()
            .rev()
            .find(|f| f.number == 2)
            .is_some_and(|f| f.raw.len() >= 4 && f.raw[f.raw.len() - 4..] == 2.0f32.to_le_bytes()),
        _ => false,
    }
}

/// Whether a `TensorProto` is the float 2 (of any shape of one element), stored in the model.
fn tensor_is_two(tensor: &[u8]) -> bool {
    let Some(fields) = proto::fields(tensor) else {
        return false;
    };
    let mut elements = 1u64;
    let mut float = false;
    let mut value: Option<[u8; 4]> = None;
    for f in &fields {
        match (f.number, f.payload) {
            // dims = 1, packed or not.
            (1, Some(p)) => {
                let mut at = 0;
                while at < p.len() {
                    match proto::varint(p, &mut at) {
                        Some(d) => elements = elements.saturating_mul(d),
                        None => return false,
                    }
                }
            }
            (1, None) => match proto::varint(f.raw, &mut 1) {
                Some(d) => elements = elements.saturating_mul(d),
                None => return false,
            },
            // data_type = 2 (FLOAT is 1).
            (2, None) => float = f.raw.get(1) == Some(&1) && f.raw.len() == 2,
            // float_data = 4, packed or one fixed32; raw_data = 9.
            (4 | 9, Some(p)) => value = p.try_into().ok(),
            (4, None) => {
                value = f
                    .raw
                    .get(f.raw.len().saturating_sub(4)..)
                    .and_then(|b| b.try_into().ok())
            }
            // data_location = 14 (external data).
            (14, None) if f.raw.get(1) != Some(&0) => return false,
            _ => {}
        }
    }
    float && elements == 1 && value == Some(2.0f32.to_le_bytes())
}

/// The fused operator (see the module docs). Inputs: `x`, the normalisation's scales and
/// biases, then `G`, `B`, `A` and `R`, which broadcast to `x`; output: `y`, of `x`'s shape.
pub(super) struct AdaInSnake;

impl Operator for AdaInSnake {
    type Kernel<'attr> = AdaInSnakeKernel;

    fn name(&self) -> &str {
        NAME
    }

    fn inputs(&self) -> impl IntoIterator<Item = OperatorInput> {
        (0..7).map(|_| OperatorInput::required(TensorElementType::Float32))
    }

    fn outputs(&self) -> impl IntoIterator<Item = OperatorOutput> {
        [OperatorOutput::required(TensorElementType::Float32)]
    }

    fn infer_shape(&self, ctx: &mut ShapeInferenceContext) -> ort::Result<()> {
        super::infer_like_input(ctx, NAME)
    }

    fn create_kernel<'attr>(&self, info: &KernelContext<'attr>) -> ort::Result<AdaInSnakeKernel> {
        Ok(AdaInSnakeKernel {
            norm: PieceKernel::new(info, Kind::InstanceNorm, info.get::<f32>("epsilon"))?,
            sin: PieceKernel::new(info, Kind::Sin, None)?,
        })
    }
}

/// The kernel of [`AdaInSnake`]: ONNX Runtime's normalisation and `Sin` kernels and the
/// arithmetic between them.
pub(super) struct AdaInSnakeKernel {
    norm: PieceKernel,
    sin: PieceKernel,
}

/// One of `G`, `B`, `A`, `R`, broadcast to the output's shape: the element for the output's
/// flat index `i` is `data[base(row) + col * last]`, with `row, col = i / cols, i % cols`.
struct Operand {
    data: *const f32,
    /// The operand's stride for each output axis but the last (0 where it broadcasts).
    strides: Vec<usize>,
    /// Its stride along the last axis: 0 or 1.
    last: usize,
}

impl Operand {
    /// `dims` and `data` broadcast to `out` (ONNX's multidirectional broadcasting, which
    /// must not widen `out`).
    /// The error names the operand as `which`.
    fn new(out: &[usize], dims: &[i64], data: &[f32], which: &str) -> Result<Self, String> {
        let error = || format!("{NAME}: {which} of shape {dims:?} does not broadcast to {out:?}");
        if dims.len() > out.len() {
            return Err(error());
        }
        let mut strides = vec![0; out.len()];
        let mut stride = 1usize;
        for (k, &d) in dims.iter().enumerate().rev() {
            let axis = out.len() - dims.len() + k;
            let d = usize::try_from(d).map_err(|_| error())?;
            if d != 1 && d != out[axis] {
                return Err(error());
            }
            if d != 1 {
                strides[axis] = stride;
            }
            stride = stride.checked_mul(d).ok_or_else(error)?;
        }
        if stride != data.len() {
            return Err(error());
        }
        let last = strides.pop().unwrap_or(0);
        Ok(Operand {
            data: data.as_ptr(),
            strides,
            last,
        })
    }

    /// The offset of `row`'s first element, for output axes `axes` (all but the last).
    fn base(&self, axes: &[usize], mut row: usize) -> usize {
        let mut offset = 0;
        for (k, &n) in axes.iter().enumerate().rev() {
            offset += (row % n) * self.strides[k];
            row /= n;
        }
        offset
    }
}

/// A run's pointers, shared with the pool's threads: each piece writes its own range of `y`.
struct Pass {
    ctx: *const ort::sys::OrtKernelContext,
    y: *mut f32,
    /// The output's axes but the last, and the last axis's length.
    axes: Vec<usize>,
    cols: usize,
    /// `G`, `B`, `A`, `R`.
    operands: [Operand; 4],
}

// SAFETY: the pointers address the running kernel's context, its inputs and its output, which
// outlive the `par_for` call that uses them; pieces read the operands and write disjoint
// ranges of `y`, and `InvokeOp` only reads the context.
unsafe impl Send for Pass {}
// SAFETY: as above.
unsafe impl Sync for Pass {}

impl Kernel for AdaInSnakeKernel {
    fn compute(&mut self, ctx: &ComputeContext) -> ort::Result<()> {
        let values = super::inputs(ctx, 7, NAME)?;
        let shape = values[0].try_extract_tensor::<f32>()?.0.to_vec();
        let mut output = ctx
            .output(0, shape.clone())?
            .ok_or_else(|| ort::Error::new(format!("{NAME}: no output")))?;
        // n = InstanceNormalization(x, s, c), into the output.
        self.norm.compute_into(ctx, &values[..3], &mut output)?;
        let out: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
        let names = ["G", "B", "A", "R"];
        let mut operands = Vec::with_capacity(4);
        for (value, which) in values[3..].iter().zip(names) {
            let (dims, data) = value.try_extract_tensor::<f32>()?;
            operands.push(Operand::new(&out, dims, data, which).map_err(ort::Error::new)?);
        }
        let operands: [Operand; 4] = operands
            .try_into()
            .map_err(|_| ort::Error::new(format!("{NAME}: operands")))?;
        let y = output.try_extract_tensor_mut::<f32>()?.1;
        let len = y.len();
        if len == 0 {
            return Ok(());
        }
        let (axes, cols) = match out.split_last() {
            Some((&cols, axes)) => (axes.to_vec(), cols.max(1)),
            None => (Vec::new(), 1),
        };
        let pass = Pass {
            ctx: ctx.ptr(),
            y: y.as_mut_ptr(),
            axes,
            cols,
            operands,
        };
        let pieces = sin_pieces(len, pass.y as usize);
        let failed = Mutex::new(None);
        let body = |i: usize| {
            // SAFETY: the pieces lie in `y` and no other piece writes this one's range.
            let done = unsafe { self.piece(&pass, pieces[i], pieces[i + 1]) };
            if let Err(e) = done
                && let Ok(mut slot) = failed.lock()
            {
                slot.get_or_insert(e);
            }
        };
        if pieces.len() <= 2 {
            body(0);
        } else {
            ctx.par_for(pieces.len() - 1, 0, body)?;
        }
        match failed.into_inner() {
            Ok(None) => Ok(()),
            Ok(Some(e)) => Err(e),
            Err(_) => Err(ort::Error::new(format!("{NAME}: a piece panicked"))),
        }
    }
}

impl AdaInSnakeKernel {
    /// `y[start..end] = h + R·sin(A·h)²` with `h = G·y + B`, block by block.
    ///
    /// # Safety
    /// `start..end` must lie in `pass.y`, and nothing else may touch that range meanwhile.
    unsafe fn piece(&self, pass: &Pass, start: usize, end: usize) -> ort::Result<()> {
        let step = super::ALIGN / size_of::<f32>();
        // A block's copy for `sin`, 64-byte aligned, so that it sits at the same address
        // modulo 64 as the block's elements in a 64-byte aligned tensor of the original
        // graph (blocks start at multiples of 16 floats: `start` is 0 or such a bound).
        let mut scratch = vec![0f32; BLOCK + step];
        let skew = scratch.as_ptr().align_offset(super::ALIGN);
        if skew >= step {
            return Err(ort::Error::new(format!("{NAME}: cannot align a block")));
        }
        let t = &mut scratch[skew..skew + BLOCK];
        let mut at = start;
        while at < end {
            let stop = (at + BLOCK).min(end);
            // SAFETY: `at..stop` lies in this piece of `y` (the caller's contract).
            let y = unsafe { std::slice::from_raw_parts_mut(pass.y.add(at), stop - at) };
            let t = &mut t[..stop - at];
            let rows = rows(pass, at, stop);
            // One pass over the block when the operands are one value per row (the decoder's
            // case) and the wide `sin` gives ONNX Runtime's bits.
            if rows.iter().all(|(_, v)| matches!(v, Values::Row(_)))
                && self.sin.sin_is_exact(pass.ctx)
            {
                // Eigen's packets: the block's first elements in fours (the block starts at a
                // 64-byte bound of the tensor), then `sinf` for the tensor's last ones.
                let packets = (stop - at) / 4 * 4;
                for (range, values) in &rows {
                    if let Values::Row(v) = values {
                        self.snake_row(pass.ctx, y, range.clone(), packets, *v)?;
                    }
                }
                at = stop;
                continue;
            }
            // h = G·n + B into y, A·h into t.
            for (range, values) in &rows {
                let (y, t) = (&mut y[range.clone()], &mut t[range.clone()]);
                match values {
                    Values::Row([g, b, a, _]) => {
                        for (y, t) in y.iter_mut().zip(t.iter_mut()) {
                            let h = g * *y + b;
                            *y = h;
                            *t = a * h;
                        }
                    }
                    Values::Strided(at) => {
                        for (j, (y, t)) in y.iter_mut().zip(t.iter_mut()).enumerate() {
                            let [g, b, a, _] = at.get(j);
                            let h = g * *y + b;
                            *y = h;
                            *t = a * h;
                        }
                    }
                }
            }
            // SAFETY: `Sin` in place over the block's copy, 64-byte aligned as in the original
            // tensor (ONNX Runtime's bits, twice as wide; see `super::sin`)...
            let p = t.as_mut_ptr();
            if !(self.sin.sin_is_exact(pass.ctx) && unsafe { super::sin::sin(p, p, t.len()) }) {
                // ...or, for the inputs that it declines, ONNX Runtime's own kernel.
                // SAFETY: the block's copy; the context is the running kernel's.
                unsafe { self.sin.in_place(pass.ctx, p, t.len())? };
            }
            // y = h + R·s².
            for (range, values) in &rows {
                let (y, t) = (&mut y[range.clone()], &t[range.clone()]);
                match values {
                    Values::Row([_, _, _, r]) => {
                        for (y, &s) in y.iter_mut().zip(t) {
                            *y += r * (s * s);
                        }
                    }
                    Values::Strided(at) => {
                        for (j, (y, &s)) in y.iter_mut().zip(t).enumerate() {
                            let [_, _, _, r] = at.get(j);
                            *y += r * (s * s);
                        }
                    }
                }
            }
            at = stop;
        }
        Ok(())
    }
}

impl AdaInSnakeKernel {
    /// `y[i] = h + r·sin(a·h)²` with `h = g·y[i] + b` for `i` in `range` of a block whose
    /// first `packets` elements are Eigen's packets, in one pass: the same float operations
    /// in the same order as the three passes of [`Self::piece`] and ONNX Runtime's `Sin`.
    fn snake_row(
        &self,
        ctx: *const ort::sys::OrtKernelContext,
        y: &mut [f32],
        range: std::ops::Range<usize>,
        packets: usize,
        values: [f32; 4],
    ) -> ort::Result<()> {
        let mut i = range.start;
        while i < range.end {
            let limit = range.end.min(packets);
            #[cfg(target_arch = "x86_64")]
            if i + 8 <= limit {
                let group = &mut y[i..limit];
                // SAFETY: AVX2 is present (`sin_is_exact` said yes only with
                // `sin::available`); `group` holds `len` elements.
                i += unsafe { snake_avx2(group.as_mut_ptr(), group.len(), values) };
                if i + 8 <= limit {
                    // A group with an argument that the wide `sin` declines.
                    for j in i..i + 8 {
                        self.snake_one(ctx, y, j, packets, values)?;
                    }
                    i += 8;
                }
                continue;
            }
            self.snake_one(ctx, y, i, packets, values)?;
            i += 1;
        }
        Ok(())
    }

    /// [`Self::snake_row`] for element `j`.
    fn snake_one(
        &self,
        ctx: *const ort::sys::OrtKernelContext,
        y: &mut [f32],
        j: usize,
        packets: usize,
        [g, b, a, r]: [f32; 4],
    ) -> ort::Result<()> {
        let h = g * y[j] + b;
        let t = a * h;
        let s = if j >= packets {
            t.sin()
        } else if t.abs() < super::sin::HUGE {
            super::sin::lane(t)
        } else {
            self.onnx_sin(ctx, t)?
        };
        y[j] = h + r * (s * s);
        Ok(())
    }

    /// ONNX Runtime's `Sin` of `t` as an element of a packet (for the arguments that the wide
    /// one declines).
    fn onnx_sin(&self, ctx: *const ort::sys::OrtKernelContext, t: f32) -> ort::Result<f32> {
        let mut buf = [0u128; 8];
        let p = super::aligned(&mut buf);
        for k in 0..4 {
            // SAFETY: 4 floats past the aligned start, within the buffer's 32.
            unsafe { p.add(k).write(t) };
        }
        // SAFETY: as above; the context is the running kernel's.
        unsafe { self.sin.in_place(ctx, p, 4)? };
        // SAFETY: written by the kernel above.
        Ok(unsafe { p.read() })
    }
}

/// [`AdaInSnakeKernel::snake_row`] eight elements at a time over `y[..len]` (elements of
/// Eigen's packets): stops before the first group with an argument that the wide `sin`
/// declines, or after the last whole group; returns where.
///
/// # Safety
/// The CPU must have AVX2; `y` must be valid for `len` floats.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn snake_avx2(y: *mut f32, len: usize, [g, b, a, r]: [f32; 4]) -> usize {
    use std::arch::x86_64::{
        _mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_set1_ps, _mm256_storeu_ps,
    };
    let (g, b, a, r) = (
        _mm256_set1_ps(g),
        _mm256_set1_ps(b),
        _mm256_set1_ps(a),
        _mm256_set1_ps(r),
    );
    let mut i = 0;
    while i + 8 <= len {
        // SAFETY: i + 8 ≤ len (the caller's contract).
        let v = unsafe { _mm256_loadu_ps(y.add(i)) };
        let h = _mm256_add_ps(_mm256_mul_ps(g, v), b);
        let t = _mm256_mul_ps(a, h);
        if super::sin::any_declined(t) {
            return i;
        }
        let s = super::sin::lanes(t);
        let out = _mm256_add_ps(h, _mm256_mul_ps(r, _mm256_mul_ps(s, s)));
        // SAFETY: as above.
        unsafe { _mm256_storeu_ps(y.add(i), out) };
        i += 8;
    }
    i
}

/// `G`, `B`, `A`, `R` along a stretch of one row of the output.
enum Values {
    /// One value each for the whole stretch (the operands broadcast along the last axis).
    Row([f32; 4]),
    /// Otherwise.
    Strided(Strided),
}

/// The operands from a stretch's first element on, each with its stride (0 or 1).
struct Strided([(*const f32, usize); 4]);

impl Strided {
    /// The operands at the stretch's element `j`.
    fn get(&self, j: usize) -> [f32; 4] {
        // SAFETY: `Operand::new` checked that each operand covers every index of the output
        // through its strides, and `j` lies in the stretch (see `rows`).
        self.0.map(|(p, last)| unsafe { *p.add(j * last) })
    }
}

/// The stretches of rows that `start..end` (flat indices of the output) covers, as ranges
/// relative to `start`, with the operands along each.
fn rows(pass: &Pass, start: usize, end: usize) -> Vec<(std::ops::Range<usize>, Values)> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        let row = i / pass.cols;
        let stop = ((row + 1) * pass.cols).min(end);
        let col = i % pass.cols;
        let at: [(*const f32, usize); 4] = std::array::from_fn(|k| {
            let o = &pass.operands[k];
            // SAFETY: `Operand::new` checked that the operand covers every index of the
            // output through its strides: `col` lies in the row.
            let p = unsafe { o.data.add(o.base(&pass.axes, row) + col * o.last) };
            (p, o.last)
        });
        let values = if at.iter().all(|&(_, last)| last == 0) {
            // SAFETY: as above.
            Values::Row(at.map(|(p, _)| unsafe { *p }))
        } else {
            Values::Strided(Strided(at))
        };
        out.push((i - start..stop - start, values));
        i = stop;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(op: &str, inputs: &[&str], outputs: &[&str]) -> Vec<u8> {
        let mut n = Vec::new();
        for i in inputs {
            n.extend(proto::len_field(1, i.as_bytes()));
        }
        for o in outputs {
            n.extend(proto::len_field(2, o.as_bytes()));
        }
        n.extend(proto::len_field(4, op.as_bytes()));
        n
    }

    /// A `Constant` node `two` of the float `value`.
    fn constant(value: f32) -> Vec<u8> {
        let mut tensor = vec![0x10, 1];
        tensor.extend(proto::len_field(9, &value.to_le_bytes()));
        let mut attribute = proto::len_field(1, b"value");
        attribute.extend(proto::len_field(5, &tensor));
        let mut n = node("Constant", &[], &["two"]);
        n.extend(proto::len_field(5, &attribute));
        n
    }

    /// The decoder's chain, then a node that reads its result, and `extra` nodes.
    fn chain(exponent: f32, extra: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut nodes = vec![
            node("InstanceNormalization", &["x", "s", "c"], &["n"]),
            node("Mul", &["g", "n"], &["m"]),
            node("Add", &["m", "b"], &["h"]),
            node("Mul", &["a", "h"], &["t"]),
            node("Sin", &["t"], &["sn"]),
            constant(exponent),
            node("Pow", &["sn", "two"], &["p"]),
            node("Mul", &["r", "p"], &["q"]),
            node("Add", &["h", "q"], &["y"]),
            node("Conv", &["y", "w"], &["z"]),
        ];
        nodes.extend(extra.iter().cloned());
        nodes
    }

    fn graph(nodes: &[Vec<u8>], outputs: &[&str]) -> Vec<u8> {
        let mut g = Vec::new();
        for n in nodes {
            g.extend(proto::len_field(1, n));
        }
        for o in outputs {
            g.extend(proto::len_field(12, &proto::len_field(1, o.as_bytes())));
        }
        g
    }

    /// The chains of a `GraphProto`; `None` if it is not well formed.
    fn find_in(graph: &[u8]) -> Option<Vec<Fusion>> {
        Graph::parse(graph).map(|g| find(&g))
    }

    fn fused(nodes: &[Vec<u8>], outputs: &[&str]) -> usize {
        find_in(&graph(nodes, outputs)).map_or(usize::MAX, |f| f.len())
    }

    #[test]
    fn the_chain_becomes_one_node_in_the_final_sums_place() {
        let fusions = find_in(&graph(&chain(2.0, &[]), &["z"])).unwrap_or_default();
        assert_eq!(fusions.len(), 1);
        assert_eq!(fusions[0].replaced, [0, 1, 2, 3, 4, 6, 7, 8]);
        assert_eq!(fusions[0].place(), 8);
        let parsed = Node::parse(&fusions[0].node);
        let parsed = parsed.as_ref();
        assert_eq!(parsed.map(|n| n.op), Some(NAME.as_bytes()));
        assert_eq!(
            parsed.map(|n| n.inputs.clone()),
            Some(
                ["x", "s", "c", "g", "b", "a", "r"]
                    .map(str::as_bytes)
                    .to_vec()
            )
        );
        assert_eq!(parsed.map(|n| n.outputs.clone()), Some(vec![&b"y"[..]]));
        assert_eq!(parsed.map(|n| n.standard), Some(false));
        // Operands in the other order are the same chain.
        let mut swapped = chain(2.0, &[]);
        swapped[1] = node("Mul", &["n", "g"], &["m"]);
        swapped[2] = node("Add", &["b", "m"], &["h"]);
        swapped[8] = node("Add", &["q", "h"], &["y"]);
        assert_eq!(fused(&swapped, &["z"]), 1);
    }

    #[test]
    fn a_chain_whose_values_are_seen_elsewhere_or_that_differs_is_left_alone() {
        // Another reader of a value inside the chain.
        for value in ["n", "m", "t", "sn", "p", "q"] {
            let extra = [node("Relu", &[value], &["u"])];
            assert_eq!(fused(&chain(2.0, &extra), &["z", "u"]), 0, "{value}");
        }
        assert_eq!(
            fused(&chain(2.0, &[node("Relu", &["h"], &["u"])]), &["z"]),
            0
        );
        // A graph output inside the chain.
        assert_eq!(fused(&chain(2.0, &[]), &["z", "t"]), 0);
        // A subgraph that names a value inside the chain.
        let mut attribute = proto::len_field(1, b"body");
        attribute.extend(proto::len_field(
            6,
            &graph(&[node("Relu", &["sn"], &["v"])], &[]),
        ));
        let mut looped = node("Loop", &["trip"], &["w2"]);
        looped.extend(proto::len_field(5, &attribute));
        assert_eq!(fused(&chain(2.0, &[looped]), &["z"]), 0);
        // Another exponent.
        assert_eq!(fused(&chain(3.0, &[]), &["z"]), 0);
        // Not well formed.
        assert!(find_in(b"\x0a\x05ab").is_none());
    }

    #[test]
    fn the_probe_models_chains_are_found() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kernel_probe.onnx");
        let model = std::fs::read(path).unwrap_or_default();
        let graph = proto::fields(&model)
            .and_then(|f| f.iter().find(|f| f.number == 7).and_then(|f| f.payload))
            .unwrap_or_default();
        // Its two chains: elementwise B, and every operand one value per channel.
        assert_eq!(find_in(graph).map(|f| f.len()), Some(2));
    }

    #[test]
    fn operands_broadcast_like_onnx() {
        let data = vec![0.0; 64];
        let o =
            Operand::new(&[1, 64, 100], &[1, 64, 1], &data, "G").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.strides.clone(), o.last), (vec![0, 1], 0));
        assert_eq!(o.base(&[1, 64], 5), 5);
        let o = Operand::new(&[1, 64, 100], &[64, 1], &data, "B").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.strides.clone(), o.last), (vec![0, 1], 0));
        let one = [3.0];
        let o = Operand::new(&[1, 64, 100], &[], &one, "A").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.strides.clone(), o.last), (vec![0, 0], 0));
        let wide = vec![0.0; 6400];
        let o =
            Operand::new(&[1, 64, 100], &[64, 100], &wide, "R").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.strides.clone(), o.last), (vec![0, 100], 1));
        assert_eq!(o.base(&[1, 64], 3), 300);
        // Widening the output, or a shape that does not fit: an error.
        assert!(Operand::new(&[1, 64, 100], &[2, 64, 1], &[0.0; 128], "G").is_err());
        assert!(Operand::new(&[1, 64, 100], &[1, 32, 1], &[0.0; 32], "G").is_err());
        assert!(Operand::new(&[64], &[1, 64], &data, "G").is_err());
    }

    #[test]
    fn only_the_float_two_is_two() {
        let tensor = |data_type: u8, value: f32, dims: &[u8]| {
            let mut t = Vec::new();
            for &d in dims {
                t.extend([0x08, d]);
            }
            t.extend([0x10, data_type]);
            t.extend(proto::len_field(9, &value.to_le_bytes()));
            t
        };
        assert!(tensor_is_two(&tensor(1, 2.0, &[])));
        assert!(tensor_is_two(&tensor(1, 2.0, &[1, 1])));
        assert!(!tensor_is_two(&tensor(1, 3.0, &[])));
        assert!(!tensor_is_two(&tensor(11, 2.0, &[])));
        assert!(!tensor_is_two(&tensor(1, 2.0, &[2])));
        let mut attribute = proto::len_field(1, b"value");
        attribute.extend(proto::len_field(5, &tensor(1, 2.0, &[])));
        assert!(constant_is_two(&[&proto::len_field(5, &attribute)]));
        let mut attribute = proto::len_field(1, b"value_float");
        attribute.push(0x15);
        attribute.extend(2.0f32.to_le_bytes());
        assert!(constant_is_two(&[&proto::len_field(5, &attribute)]));
        let mut attribute = proto::len_field(1, b"value_int");
        attribute.extend([0x18, 2]);
        assert!(!constant_is_two(&[&proto::len_field(5, &attribute)]));
    }
}
