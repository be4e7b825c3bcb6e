//! IPv4 addresses: "192.168.1.1" → "one nine two dot one six eight dot one dot one".

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};
use crate::words::digits_each;

/// Read token `i` when its core is an IPv4 address (four parts 0–255).
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.ip_addresses {
        return None;
    }
    let core = cx.tok(i)?.core;
    if !core.starts_with(|c: char| c.is_ascii_digit()) || core.len() > 15 {
        return None;
    }
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 4
        || !parts.iter().all(|p| {
            (1..=3).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|v| v <= 255)
        })
    {
        return None;
    }
    let text = parts
        .iter()
        .map(|p| digits_each(p))
        .collect::<Vec<_>>()
        .join(" dot ");
    Some(Hit::one(SpanKind::IpAddress, text))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn ips() {
        assert_eq!(
            norm("Connect to 192.168.1.1."),
            "Connect to one nine two dot one six eight dot one dot one."
        );
        assert_eq!(
            norm("10.0.0.255"),
            "one zero dot zero dot zero dot two five five"
        );
        assert_eq!(
            norm("300.1.1.1"),
            "three hundred point one point one point one"
        );
    }

    #[test]
    fn switched_off() {
        assert_eq!(
            norm_with("10.0.0.1", |o| o.ip_addresses = false),
            "ten point zero point zero point one"
        );
    }
}
