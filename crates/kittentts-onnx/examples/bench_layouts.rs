//! Compares layouts of sessions and threads side by side in one process: every layout is
//! loaded at once, and each trial runs every workload on every layout in turn, so a noisy
//! machine slows them alike. Prints the median and best wall time per layout and workload.
//!
//! ```sh
//! ORT_DYLIB_PATH=runtimes/onnxruntime/libonnxruntime.so.1 \
//! cargo run --release -p kittentts-onnx --example bench_layouts -- MODEL.onnx TRIALS \
//!     shared=2,2,1,0 separate=2,2,0,0 narrow=2,1,0,0 wide=1,2,1,1
//! ```
//! A layout is `NAME=RUNS,THREADS,SHARE,SPIN`: runs at once (`sessions`), intra-op threads,
//! whether the runs share one session (1) or have one each (0), whether the threads spin.
//! Workloads: `lone80` and `lone250` (one run of 80 / 250 ids, alone), `two80x4` (two callers,
//! 4 short runs each), `two_long` (two callers, 4 runs of 120 to 300 ids each). Inputs as in
//! `bench_model`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]
use std::sync::Barrier;
use std::time::Instant;

#[path = "inputs/mod.rs"]
mod inputs;

use inputs::{ids, style};
use kittentts_onnx::{AcousticModel, ModelOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let model_path = std::path::PathBuf::from(args.next().ok_or("model")?);
    let trials: usize = args.next().map_or(Ok(5), |s| s.parse())?;
    let specs: Vec<String> = args.collect();
    let style = style();
    let mut models = Vec::new();
    for spec in &specs {
        let (name, rest) = spec.split_once('=').ok_or("spec")?;
        let v: Vec<usize> = rest.split(',').map(str::parse).collect::<Result<_, _>>()?;
        let [runs, threads, share, spin] = v[..] else {
            return Err(format!("layout {spec}: NAME=RUNS,THREADS,SHARE,SPIN").into());
        };
        let o = ModelOptions::new()
            .with_sessions(runs)
            .with_intra_threads(threads)
            .with_inter_threads(1)
            .with_share_session(share == 1)
            .with_intra_spinning(spin == 1);
        let m = AcousticModel::load(&model_path, &o)?;
        m.run(&ids(80), &style, 1.0)?;
        models.push((name.to_string(), m));
    }
    let work: Vec<(&str, usize, Vec<usize>)> = vec![
        ("lone80", 1, vec![80]),
        ("lone250", 1, vec![250]),
        ("two80x4", 2, vec![80, 60, 90, 70]),
        ("two_long", 2, vec![250, 180, 300, 120]),
    ];
    let mut res = vec![vec![Vec::new(); work.len()]; models.len()];
    for _ in 0..trials {
        for (mi, (_, m)) in models.iter().enumerate() {
            for (wi, (_, callers, lens)) in work.iter().enumerate() {
                let barrier = Barrier::new(*callers);
                let t = Instant::now();
                std::thread::scope(|s| {
                    for c in 0..*callers {
                        let barrier = &barrier;
                        let style = &style;
                        s.spawn(move || {
                            barrier.wait();
                            for (k, &n) in lens.iter().enumerate() {
                                let n = if c == 1 {
                                    lens[(k + 1) % lens.len()]
                                } else {
                                    n
                                };
                                m.run(&ids(n), style, 1.0).unwrap();
                            }
                        });
                    }
                });
                res[mi][wi].push(t.elapsed().as_secs_f64());
            }
        }
    }
    for (mi, (name, _)) in models.iter().enumerate() {
        let mut line = format!("{name:8}");
        for (wi, (wname, _, _)) in work.iter().enumerate() {
            let mut v = res[mi][wi].clone();
            v.sort_by(f64::total_cmp);
            line += &format!(" {wname}: med {:.3} min {:.3} |", v[v.len() / 2], v[0]);
        }
        println!("{line}");
    }
    Ok(())
}
