//! Who the client is when Hearth runs behind reverse proxies.
//!
//! `HEARTH_TRUSTED_PROXIES` lists the networks (CIDRs) of the proxies in
//! front of Hearth. Only when the TCP peer is one of them are its
//! `X-Forwarded-For` (or, without it, RFC 7239 `Forwarded`) and
//! `X-Forwarded-Proto` believed: the chain of addresses is walked from the
//! right (the hop nearest Hearth) skipping trusted proxies, and the first
//! address that isn't one is the client. Anyone else's forwarding headers
//! are ignored: the TCP peer is the client and the scheme is plain http.
//!
//! [`resolve_client`] puts the answer on every request: an
//! [`app::auth::ClientIp`] extension (read by `app::auth::client_ip`, so the
//! log-in, sign-up and reset limits count the real client) and a
//! [`ClientConnection`] extension that the headers middleware reads for
//! `Strict-Transport-Security` and `Secure` cookies.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

/// The networks whose forwarding headers are believed. Parsed from a
/// comma-separated list of CIDRs (`10.0.0.0/8, ::1/128`); a bare address
/// means just that address. Empty: no proxy is trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    /// The given networks.
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self(Arc::new(nets))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The networks.
    pub fn nets(&self) -> &[IpNet] {
        &self.0
    }

    /// Whether `ip` is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut nets = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let net = match part.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => match part.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => {
                        return Err(format!(
                            "{part:?} is not a CIDR (like 10.0.0.0/8) or an IP address"
                        ));
                    }
                },
            };
            nets.push(net.trunc());
        }
        Ok(Self::new(nets))
    }
}

/// How the client reached Hearth, as far as Hearth can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConnection {
    /// The client's address (`None` without connection info).
    pub ip: Option<IpAddr>,
    /// The TCP peer is a trusted proxy.
    pub via_trusted_proxy: bool,
    /// A trusted proxy said the client used https.
    pub forwarded_https: bool,
}

/// Middleware: decides the client's address and scheme (see the module
/// docs) and records them as request extensions.
pub async fn resolve_client(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip());
    let conn = resolve(peer, req.headers(), &trusted);
    if let Some(ip) = conn.ip {
        req.extensions_mut().insert(app::auth::ClientIp(ip));
    }
    req.extensions_mut().insert(conn);
    next.run(req).await
}

/// The client behind `peer` given the request's headers.
pub fn resolve(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
) -> ClientConnection {
    let peer = peer.map(|ip| ip.to_canonical());
    let direct = ClientConnection {
        ip: peer,
        via_trusted_proxy: false,
        forwarded_https: false,
    };
    let Some(peer) = peer else {
        return direct;
    };
    if !trusted.contains(peer) {
        return direct;
    }
    let (hops, forwarded_elements) = match header_list(headers, "x-forwarded-for") {
        Some(list) => (list.iter().map(|h| parse_node(h)).collect::<Vec<_>>(), None),
        None => match header_list(headers, "forwarded") {
            Some(list) => {
                let elements: Vec<ForwardedElement> =
                    list.iter().map(|e| parse_forwarded_element(e)).collect();
                let hops = elements.iter().map(|e| e.for_ip).collect();
                (hops, Some(elements))
            }
            None => (Vec::new(), None),
        },
    };
    // Walk from the right: the last hop was written by `peer` (trusted).
    let mut client = peer;
    let mut client_index = None;
    for (i, hop) in hops.iter().enumerate().rev() {
        let Some(ip) = hop else {
            // "unknown", an obfuscated name or garbage: nothing further
            // left can be believed; the last known hop stands.
            break;
        };
        client = *ip;
        client_index = Some(i);
        if !trusted.contains(*ip) {
            break;
        }
    }
    let https = match forwarded_elements {
        // `Forwarded`: the proto of the element that named the client,
        // written by the proxy the client connected to.
        Some(elements) => client_index
            .and_then(|i| elements.get(i))
            .or(elements.last())
            .and_then(|e| e.proto.as_deref())
            .is_some_and(|p| p.eq_ignore_ascii_case("https")),
        // `X-Forwarded-Proto`: the value the nearest proxy set.
        None => header_list(headers, "x-forwarded-proto")
            .and_then(|l| l.last().cloned())
            .is_some_and(|p| p.eq_ignore_ascii_case("https")),
    };
    ClientConnection {
        ip: Some(client),
        via_trusted_proxy: true,
        forwarded_https: https,
    }
}

/// All values of header `name`, in order, split at commas outside quoted
/// strings and trimmed; `None` when the header is absent.
fn header_list(headers: &HeaderMap, name: &str) -> Option<Vec<String>> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let mut out = Vec::new();
    for value in values {
        // A header that isn't visible ASCII can't be trusted in part:
        // count it as one unreadable hop.
        let Ok(text) = value.to_str() else {
            out.push(String::new());
            continue;
        };
        out.extend(split_outside_quotes(text, ',').map(|s| s.trim().to_owned()));
    }
    Some(out)
}

/// Splits `s` at `sep` where it isn't inside a `"quoted string"`.
fn split_outside_quotes(s: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts.into_iter()
}

/// One `Forwarded` element's `for` address (if it is one) and `proto`.
struct ForwardedElement {
    for_ip: Option<IpAddr>,
    proto: Option<String>,
}

fn parse_forwarded_element(element: &str) -> ForwardedElement {
    let mut for_ip = None;
    let mut proto = None;
    for pair in split_outside_quotes(element, ';') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim().to_ascii_lowercase().as_str() {
            "for" => for_ip = parse_node(&value),
            "proto" => proto = Some(value),
            _ => {}
        }
    }
    ForwardedElement { for_ip, proto }
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => value.to_owned(),
    }
}

/// An address as proxies write it: `203.0.113.7`, `203.0.113.7:4711`,
/// `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = node.parse::<SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    let inner = node.strip_prefix('[')?.split(']').next()?;
    inner.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn trusted(s: &str) -> TrustedProxies {
        s.parse().expect("valid list")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn parses_cidrs_and_bare_addresses() {
        assert!(trusted("").is_empty());
        assert!(trusted(" , ").is_empty());
        let t = trusted("10.0.0.0/8, 192.168.1.7 ,::1,2001:db8::/32");
        assert_eq!(t.nets().len(), 4);
        assert!(t.contains(ip("10.200.0.1")));
        assert!(t.contains(ip("192.168.1.7")));
        assert!(!t.contains(ip("192.168.1.8")));
        assert!(t.contains(ip("::1")));
        assert!(t.contains(ip("2001:db8:1::5")));
        // IPv4-mapped IPv6 peers (dual-stack sockets) match IPv4 networks.
        assert!(t.contains(ip("::ffff:10.1.2.3")));
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.example".parse::<TrustedProxies>().is_err());
    }

    #[test]
    fn untrusted_peers_forwarding_headers_are_ignored() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = resolve(Some(ip("198.51.100.1")), &h, &trusted("10.0.0.0/8"));
        assert_eq!(c.ip, Some(ip("198.51.100.1")));
        assert!(!c.via_trusted_proxy);
        assert!(!c.forwarded_https);
        // Nothing trusted at all (the default).
        let c = resolve(Some(ip("127.0.0.1")), &h, &TrustedProxies::default());
        assert_eq!(c.ip, Some(ip("127.0.0.1")));
    }

    #[test]
    fn walks_x_forwarded_for_from_the_right() {
        let t = trusted("10.0.0.0/8");
        // The client spoofs a first entry; the proxies append what they saw.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.0.0.2")]);
        let c = resolve(Some(ip("10.0.0.1")), &h, &t);
        assert_eq!(c.ip, Some(ip("203.0.113.7")));
        assert!(c.via_trusted_proxy);
        // Several header lines are one list.
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9:5555"),
        ]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &h, &t).ip,
            Some(ip("203.0.113.9"))
        );
        // Every hop trusted: the farthest one.
        let h = headers(&[("x-forwarded-for", "10.9.9.9, 10.0.0.2")]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &h, &t).ip,
            Some(ip("10.9.9.9"))
        );
        // No header: the proxy itself.
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &HeaderMap::new(), &t).ip,
            Some(ip("10.0.0.1"))
        );
        // Garbage next to the proxy: nothing past it is believed.
        let h = headers(&[("x-forwarded-for", "203.0.113.7, nonsense")]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &h, &t).ip,
            Some(ip("10.0.0.1"))
        );
        let h = headers(&[("x-forwarded-for", "[2001:db8::7]:80")]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &h, &t).ip,
            Some(ip("2001:db8::7"))
        );
    }

    #[test]
    fn reads_rfc_7239_forwarded_when_there_is_no_x_forwarded_for() {
        let t = trusted("10.0.0.0/8");
        let h = headers(&[(
            "forwarded",
            "for=1.1.1.1;proto=https, for=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.2, For=10.0.0.3;proto=http",
        )]);
        let c = resolve(Some(ip("10.0.0.1")), &h, &t);
        assert_eq!(c.ip, Some(ip("2001:db8:cafe::17")));
        // The proto the client's own proxy saw.
        assert!(c.forwarded_https);
        let h = headers(&[("forwarded", "for=unknown;proto=https")]);
        let c = resolve(Some(ip("10.0.0.1")), &h, &t);
        assert_eq!(c.ip, Some(ip("10.0.0.1")));
        assert!(c.forwarded_https);
        // X-Forwarded-For wins when both are there.
        let h = headers(&[
            ("forwarded", "for=1.1.1.1"),
            ("x-forwarded-for", "203.0.113.7"),
        ]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &h, &t).ip,
            Some(ip("203.0.113.7"))
        );
    }

    #[test]
    fn x_forwarded_proto_from_a_trusted_proxy() {
        let t = trusted("127.0.0.1/32");
        let h = headers(&[("x-forwarded-proto", "HTTPS")]);
        assert!(resolve(Some(ip("127.0.0.1")), &h, &t).forwarded_https);
        let h = headers(&[("x-forwarded-proto", "https, http")]);
        assert!(!resolve(Some(ip("127.0.0.1")), &h, &t).forwarded_https);
        assert!(!resolve(Some(ip("127.0.0.1")), &HeaderMap::new(), &t).forwarded_https);
    }
}
