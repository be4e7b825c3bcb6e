//! The platforms the runtimes are pinned for, their file names, and the check that a file is
//! a library for one of them (ELF, Mach-O or PE).

use std::fmt;
use std::io::Read as _;
use std::path::Path;
use std::str::FromStr;

use crate::{Error, Library};

/// A machine the pinned runtime wheels exist for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Platform {
    /// Linux on x86-64 (`manylinux_2_28`).
    LinuxX86_64,
    /// Linux on 64-bit ARM: a Raspberry Pi 3/4/5 with a 64-bit OS (`manylinux_2_28`).
    LinuxAarch64,
    /// macOS on Apple silicon (macOS 14 or later for ONNX Runtime 1.32).
    MacosArm64,
    /// Windows on x86-64.
    WindowsX86_64,
}

impl Platform {
    /// Every pinned platform.
    pub const ALL: [Platform; 4] = [
        Self::LinuxX86_64,
        Self::LinuxAarch64,
        Self::MacosArm64,
        Self::WindowsX86_64,
    ];

    /// The machine this program runs on, when it is one of [`ALL`](Self::ALL).
    pub fn host() -> Option<Platform> {
        match (std::env::consts::OS, std::env::consts::ARCH) {
            ("linux", "x86_64") => Some(Self::LinuxX86_64),
            ("linux", "aarch64") => Some(Self::LinuxAarch64),
            ("macos", "aarch64") => Some(Self::MacosArm64),
            ("windows", "x86_64") => Some(Self::WindowsX86_64),
            _ => None,
        }
    }

    /// The name `--platform` takes: `linux-x86_64`, `linux-aarch64`, `macos-arm64`,
    /// `windows-x86_64`.
    pub fn name(self) -> &'static str {
        match self {
            Self::LinuxX86_64 => "linux-x86_64",
            Self::LinuxAarch64 => "linux-aarch64",
            Self::MacosArm64 => "macos-arm64",
            Self::WindowsX86_64 => "windows-x86_64",
        }
    }

    /// The library's file names on this platform, the one the search asks for first:
    /// `libonnxruntime.so` (then `libonnxruntime.so.1`, `libonnxruntime.so.1.32.0`),
    /// `libonnxruntime.dylib` / `libonnxruntime.1.32.0.dylib`, `onnxruntime.dll`;
    /// `libespeak-ng.so.1` (`libespeak-ng.so`, `libespeak-ng.so.1.52.0`),
    /// `libespeak-ng.1.dylib` (`libespeak-ng.dylib`, `libespeak-ng.1.52.0.dylib`),
    /// `espeak-ng.dll`.
    pub fn file_names(self, library: Library) -> &'static [&'static str] {
        let os = match self {
            Self::LinuxX86_64 | Self::LinuxAarch64 => "linux",
            Self::MacosArm64 => "macos",
            Self::WindowsX86_64 => "windows",
        };
        file_names_on(os, library)
    }

    /// What the binary format calls this platform's machine, for messages.
    fn binary(self) -> &'static str {
        match self {
            Self::LinuxX86_64 => "an ELF x86-64 shared library",
            Self::LinuxAarch64 => "an ELF aarch64 shared library",
            Self::MacosArm64 => "a Mach-O arm64 library",
            Self::WindowsX86_64 => "a PE32+ x86-64 DLL",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The library's file names on the OS named as `std::env::consts::OS` names it, the usual one
/// first; an OS other than macOS and Windows gets the Linux names.
pub(crate) fn file_names_on(os: &str, library: Library) -> &'static [&'static str] {
    match (os, library) {
        ("macos", Library::OnnxRuntime) => &["libonnxruntime.dylib", "libonnxruntime.1.32.0.dylib"],
        ("macos", Library::Espeak) => &[
            "libespeak-ng.1.dylib",
            "libespeak-ng.dylib",
            "libespeak-ng.1.52.0.dylib",
        ],
        ("windows", Library::OnnxRuntime) => &["onnxruntime.dll"],
        ("windows", Library::Espeak) => &["espeak-ng.dll"],
        (_, Library::OnnxRuntime) => &[
            "libonnxruntime.so",
            "libonnxruntime.so.1",
            "libonnxruntime.so.1.32.0",
        ],
        (_, Library::Espeak) => &[
            "libespeak-ng.so.1",
            "libespeak-ng.so",
            "libespeak-ng.so.1.52.0",
        ],
    }
}

/// A `--platform` value that names no pinned platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown platform {0:?}; expected one of linux-x86_64, linux-aarch64, macos-arm64, windows-x86_64"
)]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, UnknownPlatform> {
        let lower = s.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match lower.as_str() {
            "linux-x86-64" | "linux-amd64" => Self::LinuxX86_64,
            "linux-aarch64" | "linux-arm64" => Self::LinuxAarch64,
            "macos-arm64" | "macos-aarch64" | "darwin-arm64" => Self::MacosArm64,
            "windows-x86-64" | "windows-amd64" | "win-amd64" => Self::WindowsX86_64,
            _ => return Err(UnknownPlatform(s.to_owned())),
        })
    }
}

/// Checks that `path` is a library for `platform`: an ELF shared object of its architecture
/// whose section headers lie inside the file (a cut-short copy fails that), a Mach-O arm64
/// file, or a PE32+ x86-64 DLL.
///
/// # Errors
/// [`Error::BadLibrary`] naming the file and what is wrong.
pub fn check_library_for(path: &Path, platform: Platform) -> Result<(), Error> {
    check_file(path, Some(platform))
}

/// The checks of [`check_library_for`]; with no platform, only that the file is readable and
/// not empty.
pub(crate) fn check_file(path: &Path, platform: Option<Platform>) -> Result<(), Error> {
    let bad = |reason: String| Error::BadLibrary {
        path: path.to_path_buf(),
        reason,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| bad(format!("it cannot be read ({e})")))?
        .len();
    if len == 0 {
        return Err(bad("it is empty".into()));
    }
    let Some(platform) = platform else {
        return Ok(());
    };
    let mut head = vec![0u8; 1024];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| bad(format!("it cannot be read ({e})")))?;
    head.truncate(n);
    let found = describe(&head, len);
    let wanted = platform.binary();
    match (platform, &found) {
        (Platform::LinuxX86_64, Binary::Elf { machine: 62, fits })
        | (Platform::LinuxAarch64, Binary::Elf { machine: 183, fits }) => {
            if *fits {
                Ok(())
            } else {
                Err(bad(format!(
                    "it is cut short ({len} bytes, its headers reach past the end)"
                )))
            }
        }
        (Platform::MacosArm64, Binary::MachO { arm64: true })
        | (Platform::WindowsX86_64, Binary::Pe { x86_64: true }) => Ok(()),
        (_, Binary::Other) => Err(bad("it is not an ELF, Mach-O or PE shared library".into())),
        _ => Err(bad(format!(
            "it is built for another architecture ({}, not {wanted})",
            found.describe()
        ))),
    }
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Binary {
    Elf { machine: u16, fits: bool },
    MachO { arm64: bool },
    Pe { x86_64: bool },
    Other,
}

impl Binary {
    fn describe(&self) -> String {
        match self {
            Self::Elf { machine: 62, .. } => "an ELF x86-64 file".into(),
            Self::Elf { machine: 183, .. } => "an ELF aarch64 file".into(),
            Self::Elf { machine, .. } => format!("an ELF file for machine {machine}"),
            Self::MachO { arm64: true } => "a Mach-O arm64 file".into(),
            Self::MachO { arm64: false } => "a Mach-O file for another architecture".into(),
            Self::Pe { x86_64: true } => "a PE32+ x86-64 file".into(),
            Self::Pe { x86_64: false } => "a PE file for another architecture".into(),
            Self::Other => "not a library".into(),
        }
    }
}

fn u16_le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_le(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn describe(head: &[u8], len: u64) -> Binary {
    if head.starts_with(b"\x7fELF") && head.len() >= 64 {
        if head[4] != 2 || head[5] != 1 {
            // Not 64-bit little-endian: no pinned platform.
            return Binary::Elf {
                machine: 0,
                fits: false,
            };
        }
        let machine = u16_le(head, 18).unwrap_or(0);
        let shoff = u64_le(head, 40).unwrap_or(u64::MAX);
        let shentsize = u64::from(u16_le(head, 58).unwrap_or(0));
        let shnum = u64::from(u16_le(head, 60).unwrap_or(0));
        let fits = shoff.saturating_add(shentsize.saturating_mul(shnum)) <= len;
        return Binary::Elf { machine, fits };
    }
    // Mach-O 64-bit, little-endian: magic 0xfeedfacf, cputype CPU_TYPE_ARM64 (0x0100000c).
    if u32_le(head, 0) == Some(0xfeed_facf) {
        return Binary::MachO {
            arm64: u32_le(head, 4) == Some(0x0100_000c),
        };
    }
    // A universal (fat) Mach-O holds several architectures; big-endian magic 0xcafebabe.
    if head.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) {
        let count = head
            .get(4..8)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        let arm64 = (0..count.min(16) as usize).any(|i| {
            head.get(8 + i * 20..12 + i * 20)
                .is_some_and(|b| b == [0x01, 0x00, 0x00, 0x0c])
        });
        return Binary::MachO { arm64 };
    }
    if head.starts_with(b"MZ") {
        let pe = u32_le(head, 0x3c).unwrap_or(0) as usize;
        if head.get(pe..pe + 4) == Some(b"PE\0\0") {
            let machine = u16_le(head, pe + 4);
            let magic = u16_le(head, pe + 24);
            return Binary::Pe {
                x86_64: machine == Some(0x8664) && magic == Some(0x20b),
            };
        }
    }
    Binary::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_both_ways() {
        for p in Platform::ALL {
            assert_eq!(p.name().parse::<Platform>(), Ok(p));
        }
        assert_eq!("linux-arm64".parse(), Ok(Platform::LinuxAarch64));
        assert_eq!("Windows_AMD64".parse(), Ok(Platform::WindowsX86_64));
        assert!("macos-x86_64".parse::<Platform>().is_err());
    }

    #[test]
    fn headers_are_told_apart() {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[18..20].copy_from_slice(&183u16.to_le_bytes());
        assert_eq!(
            describe(&elf, 64),
            Binary::Elf {
                machine: 183,
                fits: true
            }
        );
        let mut macho = vec![0u8; 32];
        macho[..4].copy_from_slice(&0xfeed_facfu32.to_le_bytes());
        macho[4..8].copy_from_slice(&0x0100_000cu32.to_le_bytes());
        assert_eq!(describe(&macho, 32), Binary::MachO { arm64: true });
        let mut pe = vec![0u8; 256];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x84..0x86].copy_from_slice(&0x8664u16.to_le_bytes());
        pe[0x98..0x9a].copy_from_slice(&0x20bu16.to_le_bytes());
        assert_eq!(describe(&pe, 256), Binary::Pe { x86_64: true });
        assert_eq!(describe(b"#!/bin/sh\n", 10), Binary::Other);
    }
}
