//! Who is at the other end of a request when the node runs behind a reverse proxy: the client
//! address is the peer's, unless the peer is one of the configured trusted proxies — then it is
//! the right-most address of `X-Forwarded-For` that is not itself a trusted proxy (addresses to
//! its left were written by the client and prove nothing). The request came over HTTPS when a
//! trusted proxy says so in `X-Forwarded-Proto`, or when the node's public URL is `https://`;
//! then every cookie the node sets carries `Secure`. A forwarded header from a peer that is not
//! trusted is ignored.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

/// The networks whose peers may speak for the client in `X-Forwarded-For` and
/// `X-Forwarded-Proto`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// Parses each entry as a network (`10.0.0.0/8`) or a single address (`127.0.0.1`).
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<TrustedProxies, InvalidTrustedProxy> {
        entries
            .into_iter()
            .map(parse_network)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    /// Whether `address` is inside one of the trusted networks.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|network| network.contains(&address))
    }
}

/// A `trusted_proxies` entry that is neither an IP network nor an IP address.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is neither an IP network (10.0.0.0/8) nor an IP address")]
pub struct InvalidTrustedProxy(pub String);

fn parse_network(entry: &str) -> Result<IpNet, InvalidTrustedProxy> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| InvalidTrustedProxy(entry.to_string()))
}

/// Where a request came from, as far as the node can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientOrigin {
    /// The client's address (the peer's, or the one a trusted proxy forwarded).
    pub(crate) address: IpAddr,
    /// Whether the client reached the node over HTTPS.
    pub(crate) https: bool,
}

/// What the client-origin middleware needs to know.
#[derive(Debug, Clone)]
pub(crate) struct OriginPolicy {
    pub(crate) trusted_proxies: TrustedProxies,
    /// The node's public URL starts with `https://`: every request counts as HTTPS.
    pub(crate) public_url_is_https: bool,
}

impl OriginPolicy {
    /// The origin of a request the peer at `peer` sent with `headers`.
    pub(crate) fn origin_of(&self, peer: IpAddr, headers: &HeaderMap) -> ClientOrigin {
        let peer = peer.to_canonical();
        if !self.trusted_proxies.contains(peer) {
            return ClientOrigin {
                address: peer,
                https: self.public_url_is_https,
            };
        }
        ClientOrigin {
            address: forwarded_client(&self.trusted_proxies, peer, headers),
            https: self.public_url_is_https || forwarded_over_https(headers),
        }
    }
}

/// The right-most `X-Forwarded-For` address that is not a trusted proxy; if every listed
/// address is trusted, the left-most of them; the peer when the header says nothing usable.
/// An entry that is not an address ends the walk: no trusted proxy writes one.
fn forwarded_client(trusted: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut nearest_trusted = peer;
    for entry in entries.iter().rev() {
        let Some(address) = parse_forwarded_address(entry) else {
            break;
        };
        if !trusted.contains(address) {
            return address;
        }
        nearest_trusted = address;
    }
    nearest_trusted
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`).
fn parse_forwarded_address(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .map(|address| address.to_canonical())
}

/// The nearest proxy's `X-Forwarded-Proto` (the right-most value) is `https`.
fn forwarded_over_https(headers: &HeaderMap) -> bool {
    headers
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .next_back()
        .is_some_and(|protocol| protocol.trim().eq_ignore_ascii_case("https"))
}

/// Middleware: records the request's [`ClientOrigin`] for the layers and handlers inside, and
/// marks every cookie of the answer `Secure` when the request came over HTTPS.
pub(crate) async fn resolve_client_origin(
    State(policy): State<std::sync::Arc<OriginPolicy>>,
    mut request: Request,
    next: Next,
) -> Response {
    let origin = peer_address(&request).map(|peer| policy.origin_of(peer, request.headers()));
    if let Some(origin) = origin {
        request.extensions_mut().insert(origin);
    }
    let mut response = next.run(request).await;
    if origin.is_some_and(|origin| origin.https) {
        mark_cookies_secure(response.headers_mut());
    }
    response
}

fn peer_address(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())
}

/// Adds `; Secure` to every `Set-Cookie` that does not carry it yet.
fn mark_cookies_secure(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| match value.to_str() {
            Ok(text) if !has_secure_attribute(text) => {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| value.clone())
            }
            _ => value.clone(),
        })
        .collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
}

fn has_secure_attribute(cookie: &str) -> bool {
    cookie
        .split(';')
        .skip(1)
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(trusted: &[&str]) -> OriginPolicy {
        OriginPolicy {
            trusted_proxies: TrustedProxies::parse(trusted.iter().copied())
                .expect("test networks parse"),
            public_url_is_https: false,
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn address(text: &str) -> IpAddr {
        text.parse().expect("test address parses")
    }

    #[test]
    fn a_trusted_proxy_speaks_for_the_right_most_untrusted_client() {
        let policy = policy(&["10.0.0.0/8", "127.0.0.1"]);
        let forwarded = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.2.3")]);
        let origin = policy.origin_of(address("127.0.0.1"), &forwarded);
        assert_eq!(origin.address, address("203.0.113.9"));
        let all_trusted = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.2.3")]);
        assert_eq!(
            policy.origin_of(address("127.0.0.1"), &all_trusted).address,
            address("10.9.9.9")
        );
        let garbage = headers(&[("x-forwarded-for", "203.0.113.9, nonsense, 10.1.2.3")]);
        assert_eq!(
            policy.origin_of(address("127.0.0.1"), &garbage).address,
            address("10.1.2.3")
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_forward_an_address_or_claim_https() {
        let policy = policy(&["10.0.0.0/8"]);
        let forged = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let origin = policy.origin_of(address("192.0.2.1"), &forged);
        assert_eq!(origin.address, address("192.0.2.1"));
        assert!(!origin.https);
    }

    #[test]
    fn https_comes_from_the_nearest_trusted_proxy_or_the_public_url() {
        let mut policy = policy(&["::1"]);
        let forwarded = headers(&[("x-forwarded-proto", "http, https")]);
        assert!(policy.origin_of(address("::1"), &forwarded).https);
        let plain = headers(&[("x-forwarded-proto", "https, http")]);
        assert!(!policy.origin_of(address("::1"), &plain).https);
        policy.public_url_is_https = true;
        assert!(
            policy
                .origin_of(address("192.0.2.1"), &HeaderMap::new())
                .https
        );
    }

    #[test]
    fn cookies_are_marked_secure_once() {
        let mut map = headers(&[
            ("set-cookie", "a=1; Path=/; HttpOnly"),
            ("set-cookie", "b=2; Secure; Path=/"),
        ]);
        mark_cookies_secure(&mut map);
        let cookies: Vec<&str> = map
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        assert_eq!(
            cookies,
            ["a=1; Path=/; HttpOnly; Secure", "b=2; Secure; Path=/"]
        );
    }

    #[test]
    fn trusted_proxy_entries_must_be_networks_or_addresses() {
        assert!(TrustedProxies::parse(["10.0.0.0/8", "::1", "192.168.1.1"]).is_ok());
        assert!(TrustedProxies::parse(["proxy.example.org"]).is_err());
    }
}
