//! Versions and model names: "v1.2.3" → "version one point two point three", "2.4.1" → "two
//! point four point one", "Python 3.12" → "Python three point twelve", "Python-3.10" →
//! "Python three point ten", "GPT-3.5" → "GPT three point five".
//!
//! After a known product name a two-part number is a version (each part read as a whole
//! number); elsewhere "3.12" stays a decimal ("three point one two"). Letters glued to digits
//! ("GPT-4o", "A100") are read by the inline fallback.

use super::super::SpanKind;
use super::super::num::read_int;
use super::super::token::{Ctx, Hit};

/// Words after which "N.N" is a version (case-sensitive).
const PRODUCTS: &[&str] = &[
    "Python",
    "Java",
    "iOS",
    "iPadOS",
    "Android",
    "macOS",
    "OS",
    "Windows",
    "Ubuntu",
    "Debian",
    "Fedora",
    "Node",
    "Node.js",
    "Rust",
    "Go",
    "PHP",
    "Ruby",
    "Perl",
    "Kotlin",
    "Swift",
    "Scala",
    "Firefox",
    "Chrome",
    "Safari",
    "Edge",
    "Excel",
    "Office",
    "Linux",
    "kernel",
    "Kernel",
    "version",
    "Version",
    "release",
    "Release",
    "GPT",
    "Llama",
    "LLaMA",
    "Claude",
    "Gemini",
    "Mistral",
    "Qwen",
    "Phi",
    "CUDA",
    "OpenGL",
    "HTTP",
    "HTML",
    "USB",
    "Bluetooth",
    "Unity",
    "Django",
    "Rails",
    "React",
    "Angular",
    "Vue",
    "TypeScript",
    "PostgreSQL",
    "MySQL",
    "Redis",
    "Kubernetes",
    "Docker",
    "Unreal",
    "Blender",
    "Photoshop",
    "Xcode",
    "GCC",
    "LLVM",
    "Clang",
    "Qt",
    "GTK",
    "Bash",
    "Zsh",
    "PowerShell",
    "Wi-Fi",
    "Lua",
    "Julia",
    "Haskell",
    "Elixir",
    "Dart",
    "Flutter",
    "TensorFlow",
    "PyTorch",
    "NumPy",
    "pandas",
    "Spring",
    "Laravel",
];

/// Read dotted parts as a version ("1.2.3" → "one point two point three").
fn read_parts(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(
        parts
            .iter()
            .map(|p| read_int(p))
            .collect::<Vec<_>>()
            .join(" point "),
    )
}

/// Read token `i` when it is a version.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.versions {
        return None;
    }
    let t = cx.tok(i)?;
    let core = t.core;
    // "v1.2.3", "V2"
    if let Some(rest) = core.strip_prefix(['v', 'V'])
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        return Some(Hit::one(
            SpanKind::Version,
            format!("version {}", read_parts(rest)?),
        ));
    }
    // "1.2.3", "1.0.0-beta"
    if core.matches('.').count() >= 2 {
        let (ver, tag) = match core.split_once('-') {
            Some((v, tag))
                if !tag.is_empty() && tag.chars().all(|c| c.is_alphanumeric() || c == '.') =>
            {
                (v, Some(tag))
            }
            _ => (core, None),
        };
        let mut text = read_parts(ver)?;
        if let Some(tag) = tag {
            // "beta.2" → "beta two", "rc.10" → "rc ten": the tag's numbers are said as numbers.
            for piece in tag.split('.').filter(|p| !p.is_empty()) {
                text.push(' ');
                if piece.len() <= 6 && piece.bytes().all(|b| b.is_ascii_digit()) {
                    text.push_str(&crate::words::cardinal(piece));
                } else {
                    text.push_str(piece);
                }
            }
        }
        return Some(Hit::one(SpanKind::Version, text));
    }
    // "Python-3.10", "GPT-3.5"
    if let Some((name, ver)) = core.split_once('-')
        && ver.contains('.')
        && !name.is_empty()
        && name.chars().all(|c| c.is_alphabetic())
    {
        return Some(Hit::one(
            SpanKind::Version,
            format!("{name} {}", read_parts(ver)?),
        ));
    }
    // "Python 3.12"
    if core.contains('.')
        && let Some(p) = i.checked_sub(1).and_then(|p| cx.tok(p))
        && p.trail.is_empty()
        && PRODUCTS.contains(&p.core)
    {
        return Some(Hit::one(SpanKind::Version, read_parts(core)?));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn versions() {
        assert_eq!(
            norm("Update to v2.4.1 now"),
            "Update to version two point four point one now"
        );
        assert_eq!(norm("release 1.10.0"), "release one point ten point zero");
        assert_eq!(
            norm("Python 3.12 is out."),
            "Python three point twelve is out."
        );
        assert_eq!(
            norm("Requires Python-3.10."),
            "Requires Python three point ten."
        );
        assert_eq!(
            norm("GPT-3.5 and GPT-4o"),
            "GPT three point five and GPT four o"
        );
        assert_eq!(
            norm("it is 3.12 meters"),
            "it is three point one two meters"
        );
        assert_eq!(norm("v2"), "version two");
    }

    #[test]
    fn prerelease_tags() {
        assert_eq!(norm("1.0.0-beta"), "one point zero point zero beta");
        assert_eq!(
            norm("4.0.0-beta.2 is out"),
            "four point zero point zero beta two is out"
        );
    }

    #[test]
    fn switched_off() {
        assert_eq!(
            norm_with("Python 3.12", |o| o.versions = false),
            "Python three point one two"
        );
    }
}
