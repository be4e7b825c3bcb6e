//! ONNX Runtime's float `Sin`, bit for bit, on AVX2's eight lanes instead of SSE's four.
//!
//! ONNX Runtime 1.32's CPU `Sin` is one Eigen expression (`y = x.sin()`). Its x86-64 build
//! targets SSE2, so Eigen evaluates the output's 16-byte aligned stretch in packets of four
//! with its `psincos_float` (Eigen 3.4: reduction by the nearest multiple of π/2 in four
//! steps, as its build has no fused multiply-add, then one of two polynomials), and the
//! elements before and after it with the C library's `sinf`. That is about 2.3 ns an element
//! on one core, the largest cost of the decoder's snake activations after its convolutions.
//!
//! [`sin`] does the very same float operations in the same order (multiplications and
//! additions rounded one by one, never fused), eight lanes at a time with AVX2, and calls
//! `sinf` for the same elements; every lane of a packet is computed on its own, so the width
//! changes nothing. It is used only where it is [`available`] (x86-64 with AVX2: one lane at
//! a time would be slower than ONNX Runtime's packets). Eigen sends an argument of magnitude
//! 25,966 or more (and infinities and NaNs) to other code, which is not reproduced: [`sin`]
//! declines such input, and the callers then run ONNX Runtime's own kernel.
//!
//! `tests/parallel_kernels.rs` compares the result with ONNX Runtime's nodes, bit for bit, at
//! every length of a probe model, and the unit tests compare the lanes with each other and
//! with Eigen's results on values computed by ONNX Runtime.

/// Whether this CPU runs [`sin`] eight lanes at a time (x86-64 with AVX2).
pub(super) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Eigen's threshold for its huge-argument path of `sin` without fused multiply-add.
pub(super) const HUGE: f32 = 25966.0;
/// 2/π.
const TWO_OVER_PI: f32 = f32::from_bits(0x3f22_f983);
/// 2²³ + 2²²: adding it rounds to an integer held in the low bits.
const MAGIC: f32 = 12_582_912.0;
/// −π/2 in four parts, for the reduction (Eigen's constants without fused multiply-add, by
/// their bits).
const PI_2: [f32; 4] = [
    f32::from_bits(0xbfc9_0000),
    f32::from_bits(0xb9fd_c000),
    f32::from_bits(0x342e_e000),
    f32::from_bits(0x2e74_b9ee),
];
/// The cosine polynomial's coefficients, highest first.
const COS: [f32; 5] = [
    f32::from_bits(0x37cc_730b),
    f32::from_bits(0xbab6_036e),
    f32::from_bits(0x3d2a_aa9e),
    -0.5,
    1.0,
];
/// The sine polynomial's coefficients, highest first (then `x + x³·p(x²)`).
const SIN: [f32; 3] = [
    f32::from_bits(0xb94d_70ca),
    f32::from_bits(0x3c08_85d3),
    f32::from_bits(0xbe2a_aaa8),
];

/// Writes `sin(x[i])` to `y[i]` for `len` floats as ONNX Runtime's `Sin` computes them into an
/// output at `y`; `false`, and nothing written, when `y` is not 16-byte aligned or an input is
/// not finite or has a magnitude of [`HUGE`] or more (then ONNX Runtime's kernel must run).
///
/// # Safety
/// `x` must be valid for reading and `y` for writing `len` floats; they may be the same
/// pointer (in place) but must not overlap otherwise.
pub(super) unsafe fn sin(x: *const f32, y: *mut f32, len: usize) -> bool {
    if !(y as usize).is_multiple_of(16) {
        return false;
    }
    {
        // SAFETY: `x` holds `len` floats (the caller's contract); nothing writes them while
        // this view lives.
        let input = unsafe { std::slice::from_raw_parts(x, len) };
        // (`<` is false for NaN.) Not `all`: a loop without an early exit is vectorised.
        if !input.iter().fold(true, |ok, v| ok & (v.abs() < HUGE)) {
            return false;
        }
    }
    // Eigen's packets: the aligned output from its start, in fours; `sinf` for the rest.
    let packets = len / 4 * 4;
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: AVX2 is present; the pointers hold `packets` floats.
        i = unsafe { sin_avx2(x, y, packets) };
    }
    while i < len {
        // SAFETY: i < len; each element is read before it is written.
        unsafe {
            let v = x.add(i).read();
            y.add(i).write(if i < packets { lane(v) } else { v.sin() });
        }
        i += 1;
    }
    true
}

/// One lane of Eigen's `psincos_float<true>`, for `|x0| <` [`HUGE`].
pub(super) fn lane(x0: f32) -> f32 {
    let mut x = x0.abs();
    let y_round = x * TWO_OVER_PI + MAGIC;
    let y_int = y_round.to_bits();
    let y = y_round - MAGIC;
    for c in PI_2 {
        x += y * c;
    }
    let sign = (x0.to_bits() ^ (y_int << 30)) & 0x8000_0000;
    let x2 = x * x;
    let mut cos = COS[0];
    for &c in &COS[1..] {
        cos = cos * x2 + c;
    }
    let mut s = SIN[0];
    for &c in &SIN[1..] {
        s = s * x2 + c;
    }
    let s = s * x2 * x + x;
    let r = if y_int & 1 == 0 { s } else { cos };
    f32::from_bits(r.to_bits() ^ sign)
}

/// [`lane`] on eight lanes at a time over the first `len / 8 * 8` floats; returns how many.
///
/// # Safety
/// The CPU must have AVX2; `x` must be valid for reading and `y` for writing `len` floats
/// (the same pointer, or not overlapping).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sin_avx2(x: *const f32, y: *mut f32, len: usize) -> usize {
    use std::arch::x86_64::{_mm256_loadu_ps, _mm256_storeu_ps};
    let done = len / 8 * 8;
    for i in (0..done).step_by(8) {
        // SAFETY: i + 8 ≤ len (the caller's contract); read before written.
        unsafe { _mm256_storeu_ps(y.add(i), lanes(_mm256_loadu_ps(x.add(i)))) };
    }
    done
}

/// [`lane`] on eight lanes, for arguments of magnitude below [`HUGE`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn lanes(x0: std::arch::x86_64::__m256) -> std::arch::x86_64::__m256 {
    use std::arch::x86_64::{
        _mm256_add_ps, _mm256_and_ps, _mm256_and_si256, _mm256_blendv_ps, _mm256_castps_si256,
        _mm256_castsi256_ps, _mm256_cmpeq_epi32, _mm256_mul_ps, _mm256_set1_epi32, _mm256_set1_ps,
        _mm256_setzero_si256, _mm256_slli_epi32, _mm256_sub_ps, _mm256_xor_ps,
    };
    let abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fff_ffff));
    let sign_mask = _mm256_castsi256_ps(_mm256_set1_epi32(i32::MIN));
    let magic = _mm256_set1_ps(MAGIC);
    let mut v = _mm256_and_ps(x0, abs_mask);
    let y_round = _mm256_add_ps(_mm256_mul_ps(v, _mm256_set1_ps(TWO_OVER_PI)), magic);
    let y_int = _mm256_castps_si256(y_round);
    let q = _mm256_sub_ps(y_round, magic);
    for c in PI_2 {
        v = _mm256_add_ps(_mm256_mul_ps(q, _mm256_set1_ps(c)), v);
    }
    let sign = _mm256_and_ps(
        _mm256_xor_ps(x0, _mm256_castsi256_ps(_mm256_slli_epi32::<30>(y_int))),
        sign_mask,
    );
    let use_sin = _mm256_castsi256_ps(_mm256_cmpeq_epi32(
        _mm256_and_si256(y_int, _mm256_set1_epi32(1)),
        _mm256_setzero_si256(),
    ));
    let x2 = _mm256_mul_ps(v, v);
    let mut cos = _mm256_set1_ps(COS[0]);
    for &c in &COS[1..] {
        cos = _mm256_add_ps(_mm256_mul_ps(cos, x2), _mm256_set1_ps(c));
    }
    let mut s = _mm256_set1_ps(SIN[0]);
    for &c in &SIN[1..] {
        s = _mm256_add_ps(_mm256_mul_ps(s, x2), _mm256_set1_ps(c));
    }
    let s = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(s, x2), v), v);
    _mm256_xor_ps(_mm256_blendv_ps(cos, s, use_sin), sign)
}

/// Whether any of the eight arguments is one that [`lanes`] does not compute as Eigen does
/// (magnitude [`HUGE`] or more, or not finite).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn any_declined(x: std::arch::x86_64::__m256) -> bool {
    use std::arch::x86_64::{
        _CMP_NLT_UQ, _mm256_and_ps, _mm256_castsi256_ps, _mm256_cmp_ps, _mm256_movemask_ps,
        _mm256_set1_epi32, _mm256_set1_ps,
    };
    let abs = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fff_ffff)));
    // Not less than HUGE, or unordered (NaN).
    _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_NLT_UQ>(abs, _mm256_set1_ps(HUGE))) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of every magnitude below the threshold, both signs, zeros and subnormals.
    fn inputs() -> Vec<f32> {
        let mut seed = 0x2545_f491u32;
        let mut out = vec![0.0, -0.0, 1e-40, -1e-40, f32::MIN_POSITIVE, 1.0, -1.0];
        out.extend([std::f32::consts::FRAC_PI_4, std::f32::consts::PI, 25965.998]);
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            // An exponent from 2^-30 to 2^14 and a random mantissa and sign.
            let exp = 97 + (seed >> 8) % 45;
            let v = f32::from_bits((seed & 0x8000_0000) | (exp << 23) | (seed & 0x007f_ffff));
            if v.abs() < HUGE {
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn the_wide_lanes_equal_the_single_ones() {
        let x = inputs();
        // An aligned output: a buffer of u128 (16-byte aligned), in place.
        let mut buf = vec![0u128; x.len().div_ceil(4)];
        let y = buf.as_mut_ptr().cast::<f32>();
        // SAFETY: the buffer holds x.len() floats or more.
        unsafe { std::ptr::copy_nonoverlapping(x.as_ptr(), y, x.len()) };
        // SAFETY: in place over the buffer's first x.len() floats.
        assert!(unsafe { sin(y, y, x.len()) });
        let packets = x.len() / 4 * 4;
        for (i, &v) in x.iter().enumerate() {
            // SAFETY: i < x.len().
            let got = unsafe { y.add(i).read() };
            let expected = if i < packets { lane(v) } else { v.sin() };
            assert_eq!(got.to_bits(), expected.to_bits(), "sin({v:e}) at {i}");
        }
    }

    #[test]
    fn the_lanes_are_eigens_sine() {
        // Within Eigen's error bound of the true sine (2 ulp up to the threshold; the
        // absolute error near multiples of π is what the reduction keeps small).
        for v in inputs() {
            let exact = f64::from(v).sin();
            let got = f64::from(lane(v));
            assert!(
                (got - exact).abs() <= 2.4e-7 * exact.abs() + 6e-8,
                "sin({v:e}) = {got:e}, not {exact:e}"
            );
        }
    }

    #[test]
    fn the_lanes_give_onnx_runtimes_bits_where_sinf_does_not() {
        // (x, ONNX Runtime 1.32's `Sin`, the C library's `sinf`), as bits: inputs of a
        // 4,000-float tensor (Python onnxruntime) on which the two differ.
        let known: [(u32, u32, u32); 8] = [
            (0xc020_1c1d, 0xbf18_db53, 0xbf18_db52),
            (0x3f8c_8603, 0x3f63_e5cf, 0x3f63_e5d0),
            (0xc0c3_6528, 0x3e34_6413, 0x3e34_6414),
            (0xc0d3_5672, 0xbea1_99d5, 0xbea1_99d4),
            (0x40e2_118f, 0x3f34_4e00, 0x3f34_4e01),
            (0x410f_d899, 0x3ed7_7b7f, 0x3ed7_7b80),
            (0x40bf_b2a3, 0xbe93_b268, 0xbe93_b269),
            (0xbf59_d6ac, 0xbf40_7c32, 0xbf40_7c33),
        ];
        let x: Vec<f32> = known.iter().map(|k| f32::from_bits(k.0)).collect();
        let mut buf = [0u128; 2];
        let y = buf.as_mut_ptr().cast::<f32>();
        // SAFETY: 8 floats each; the output is aligned.
        assert!(unsafe { sin(x.as_ptr(), y, 8) });
        for (i, &(_, onnx, _)) in known.iter().enumerate() {
            assert_eq!(lane(x[i]).to_bits(), onnx);
            // SAFETY: i < 8.
            assert_eq!(unsafe { y.add(i).read() }.to_bits(), onnx);
        }
        // The tail of a tensor goes to `sinf`, as in ONNX Runtime.
        // SAFETY: one float each.
        assert!(unsafe { sin(x.as_ptr(), y, 1) });
        assert_eq!(buf[0] as u32, known[0].2);
    }

    #[test]
    fn huge_non_finite_and_unaligned_are_declined() {
        let mut buf = [0u128; 4];
        let y = buf.as_mut_ptr().cast::<f32>();
        for bad in [HUGE, -30000.0, f32::INFINITY, f32::NAN] {
            let x = [0.5, bad, 0.25, 1.0];
            // SAFETY: 4 floats each.
            assert!(!unsafe { sin(x.as_ptr(), y, 4) });
            assert!(buf.iter().all(|&b| b == 0), "nothing written for {bad}");
        }
        let x = [0.5f32; 4];
        // SAFETY: 3 floats from the buffer's second.
        assert!(!unsafe { sin(x.as_ptr(), y.add(1), 3) });
        // SAFETY: 4 floats each.
        assert!(unsafe { sin(x.as_ptr(), y, 4) });
    }
}
