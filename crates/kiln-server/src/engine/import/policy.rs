//! Which addresses an import may connect to, checked after DNS resolution and on every
//! redirect hop: the HTTP client resolves names through [`Resolver`] (which drops the addresses
//! the policy refuses, so the connection goes to a checked address), and [`check_url`] checks
//! the scheme and any IP-literal host of the first URL and of each redirect (reqwest does not
//! resolve IP literals).

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};

pub use ipnet::IpNet;
use ipnet::{Ipv4Net, Ipv6Net};
use reqwest::Url;

/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 5;

/// The destinations an import may connect to. Public unicast addresses are always allowed;
/// the service's own address never is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Loopback and private addresses (10/8, 172.16/12, 192.168/16, fc00::/7) allowed too:
    /// development mode, where test servers run on loopback.
    pub local: bool,
    /// Further ranges allowed (any address in them, loopback and private included).
    pub allow: Vec<IpNet>,
    /// The service's own listening address (set by `serve`): never allowed.
    pub own: Option<SocketAddr>,
}

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

/// IPv4 ranges that are not public unicast (RFC 6890 and its updates).
const NOT_PUBLIC_V4: [Ipv4Net; 15] = [
    v4(0, 0, 0, 0, 8),       // "this network", unspecified
    v4(10, 0, 0, 0, 8),      // private
    v4(100, 64, 0, 0, 10),   // shared address space (CGNAT)
    v4(127, 0, 0, 0, 8),     // loopback
    v4(169, 254, 0, 0, 16),  // link-local (cloud metadata services)
    v4(172, 16, 0, 0, 12),   // private
    v4(192, 0, 0, 0, 24),    // IETF protocol assignments
    v4(192, 0, 2, 0, 24),    // documentation
    v4(192, 88, 99, 0, 24),  // 6to4 relay anycast
    v4(192, 168, 0, 0, 16),  // private
    v4(198, 18, 0, 0, 15),   // benchmarking
    v4(198, 51, 100, 0, 24), // documentation
    v4(203, 0, 113, 0, 24),  // documentation
    v4(224, 0, 0, 0, 4),     // multicast
    v4(240, 0, 0, 0, 4),     // reserved, broadcast
];

const fn v6(first: u16, second: u16, prefix: u8) -> Ipv6Net {
    Ipv6Net::new_assert(Ipv6Addr::new(first, second, 0, 0, 0, 0, 0, 0), prefix)
}

/// IPv6 global unicast space, and the parts of it that are not public unicast.
const GLOBAL_V6: Ipv6Net = v6(0x2000, 0, 3);
const NOT_PUBLIC_V6: [Ipv6Net; 4] = [
    v6(0x2001, 0, 23),      // IETF special purpose (Teredo, benchmarking, ORCHID...)
    v6(0x2001, 0x0db8, 32), // documentation
    v6(0x2002, 0, 16),      // 6to4 (embeds an IPv4 address)
    v6(0x3fff, 0, 20),      // documentation
];

/// A public unicast address.
fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(ip) => !NOT_PUBLIC_V4.iter().any(|net| net.contains(&ip)),
        IpAddr::V6(ip) => {
            GLOBAL_V6.contains(&ip) && !NOT_PUBLIC_V6.iter().any(|net| net.contains(&ip))
        }
    }
}

/// A loopback or private address: what development mode allows besides public ones.
fn is_local(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(ip) => ip.is_loopback() || ip.is_private(),
        IpAddr::V6(ip) => ip.is_loopback() || ip.is_unique_local(),
    }
}

impl Policy {
    /// Development mode: loopback and private addresses allowed too.
    pub fn development() -> Policy {
        Policy {
            local: true,
            ..Policy::default()
        }
    }

    /// Whether an import may connect to `addr`.
    pub fn allows(&self, addr: SocketAddr) -> bool {
        let ip = addr.ip().to_canonical();
        if self.is_own(ip, addr.port()) {
            return false;
        }
        self.allow
            .iter()
            .any(|net| net.contains(&ip) || net.contains(&addr.ip()))
            || is_public(ip)
            || (self.local && is_local(ip))
    }

    /// `ip:port` reaches the service itself. Through an unspecified address (listening on, or
    /// connecting to, `0.0.0.0`/`::`) any local or link-local address of the port may.
    fn is_own(&self, ip: IpAddr, port: u16) -> bool {
        let Some(own) = self.own else {
            return false;
        };
        let own_ip = own.ip().to_canonical();
        let on_this_host = |ip: IpAddr| {
            ip.is_unspecified()
                || is_local(ip)
                || match ip {
                    IpAddr::V4(ip) => ip.is_link_local(),
                    IpAddr::V6(ip) => ip.is_unicast_link_local(),
                }
        };
        own.port() == port
            && (ip == own_ip
                || (own_ip.is_unspecified() && on_this_host(ip))
                || (ip.is_unspecified() && on_this_host(own_ip)))
    }
}

/// A text [`parse_range`] does not read as an address range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an address range: write a CIDR such as \"10.20.0.0/16\"")]
pub struct RangeError {
    /// The text (trimmed).
    pub text: String,
}

/// `text` as a range for [`Policy::allow`]: a CIDR such as `10.20.0.0/16` or one address.
pub fn parse_range(text: &str) -> Result<IpNet, RangeError> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| RangeError {
            text: text.to_owned(),
        })
}

/// `scheme://host[:port]` of `url`: what error texts may show of a URI (no userinfo, path or
/// query).
pub fn label(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
        (Some(host), None) => format!("{}://{host}", url.scheme()),
        (None, _) => format!("a {}: URI without a host", url.scheme()),
    }
}

/// Why a download stopped before connecting: the sentence for the user.
#[derive(Debug, Clone)]
pub enum Stop {
    /// The policy refuses the address of `label`.
    Refused {
        /// `scheme://host[:port]`.
        label: String,
        /// Reached through a redirect.
        redirected: bool,
    },
    /// Not an http or https URI.
    Scheme {
        /// The URI's scheme.
        scheme: String,
        /// Reached through a redirect.
        redirected: bool,
    },
    /// More than [`MAX_REDIRECTS`].
    TooManyRedirects,
    /// The host's name could not be resolved (in time).
    Unresolved {
        /// `scheme://host[:port]`.
        label: String,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Refused {
                label,
                redirected: false,
            } => write!(f, "imports from {label} are not allowed"),
            Stop::Refused {
                label,
                redirected: true,
            } => write!(
                f,
                "it redirects to {label}, and imports from {label} are not allowed"
            ),
            Stop::Scheme {
                scheme,
                redirected: false,
            } => write!(
                f,
                "a {scheme}: URI; imports are downloaded over http or https only"
            ),
            Stop::Scheme {
                scheme,
                redirected: true,
            } => write!(
                f,
                "it redirects to a {scheme}: URI; imports are downloaded over http or https only"
            ),
            Stop::TooManyRedirects => write!(f, "more than {MAX_REDIRECTS} redirects"),
            Stop::Unresolved { label, reason } => {
                write!(f, "cannot resolve the host of {label}: {reason}")
            }
        }
    }
}

impl std::error::Error for Stop {}

/// The hop being made: what the resolver needs to know besides the name.
#[derive(Debug, Clone)]
struct Hop {
    label: String,
    port: u16,
    redirected: bool,
}

/// The checks of one download (one client, one request at a time): [`Checks::check`] for the
/// first URL, [`Checks::redirects`] for the client's redirect policy and [`Checks::resolver`]
/// for its DNS resolution.
#[derive(Clone)]
pub struct Checks {
    policy: Arc<Policy>,
    hop: Arc<Mutex<Hop>>,
    resolve_timeout: Duration,
}

impl Checks {
    /// The checks of `policy`; names resolve within `resolve_timeout`.
    pub fn new(policy: &Policy, resolve_timeout: Duration) -> Checks {
        Checks {
            policy: Arc::new(policy.clone()),
            hop: Arc::new(Mutex::new(Hop {
                label: String::new(),
                port: 0,
                redirected: false,
            })),
            resolve_timeout,
        }
    }

    /// Checks `url` (the first one, or a redirect's) before it is fetched: its scheme, and its
    /// host if that is an IP literal; a name is checked once resolved.
    pub fn check(&self, url: &Url, redirected: bool) -> Result<(), Stop> {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(Stop::Scheme {
                scheme: scheme.to_owned(),
                redirected,
            });
        }
        let label = label(url);
        let port = url.port_or_known_default().unwrap_or(0);
        let refused = || Stop::Refused {
            label: label.clone(),
            redirected,
        };
        match url.host() {
            Some(url::Host::Ipv4(ip)) if !self.policy.allows((ip, port).into()) => {
                return Err(refused());
            }
            Some(url::Host::Ipv6(ip)) if !self.policy.allows((ip, port).into()) => {
                return Err(refused());
            }
            Some(_) => {}
            None => return Err(refused()),
        }
        *self.hop.lock().unwrap_or_else(|p| p.into_inner()) = Hop {
            label,
            port,
            redirected,
        };
        Ok(())
    }

    /// The client's redirect policy: each hop checked, at most [`MAX_REDIRECTS`].
    pub fn redirects(&self) -> reqwest::redirect::Policy {
        let checks = self.clone();
        reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(Stop::TooManyRedirects);
            }
            match checks.check(attempt.url(), true) {
                Ok(()) => attempt.follow(),
                Err(stop) => attempt.error(stop),
            }
        })
    }

    /// The client's resolver: names resolved with tokio, refused addresses dropped.
    pub fn resolver(&self) -> Arc<Resolver> {
        Arc::new(Resolver(self.clone()))
    }
}

/// Resolves with the system resolver (via tokio) and keeps only the addresses the policy
/// allows: a name whose addresses are all refused fails as refused.
pub struct Resolver(Checks);

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let checks = self.0.clone();
        let hop = checks.hop.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let unresolved = |reason: String| Stop::Unresolved {
                label: hop.label.clone(),
                reason,
            };
            let found = tokio::time::timeout(
                checks.resolve_timeout,
                tokio::net::lookup_host((host.as_str(), hop.port)),
            )
            .await
            .map_err(|_| {
                unresolved(format!(
                    "no answer within {}",
                    super::duration(checks.resolve_timeout)
                ))
            })?
            .map_err(|e| unresolved(e.to_string()))?
            .collect::<Vec<_>>();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|&addr| checks.policy.allows(addr))
                .collect();
            if allowed.is_empty() {
                let stop = if found.is_empty() {
                    unresolved("no address".into())
                } else {
                    Stop::Refused {
                        label: hop.label,
                        redirected: hop.redirected,
                    }
                };
                return Err(stop.into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn public_only_by_default() {
        let policy = Policy::default();
        for allowed in [
            "1.1.1.1:443",
            "8.8.8.8:80",
            "[2a00:1450::1]:443",
            "[::ffff:8.8.8.8]:80",
        ] {
            assert!(policy.allows(addr(allowed)), "{allowed}");
        }
        for refused in [
            "127.0.0.1:80",
            "127.1.2.3:80",
            "[::1]:80",
            "[::ffff:127.0.0.1]:80",
            "[::ffff:10.0.0.1]:80",
            "0.0.0.0:80",
            "[::]:80",
            "10.1.2.3:80",
            "172.16.0.1:80",
            "172.31.255.255:80",
            "192.168.1.1:80",
            "[fc00::1]:80",
            "[fd12::1]:80",
            "169.254.169.254:80",
            "[fe80::1]:80",
            "100.64.0.1:80",
            "100.127.255.255:80",
            "224.0.0.1:80",
            "[ff02::1]:80",
            "255.255.255.255:80",
            "240.0.0.1:80",
            "192.0.2.1:80",
            "198.51.100.1:80",
            "203.0.113.1:80",
            "[2001:db8::1]:80",
            "[3fff::1]:80",
            "[2002:7f00:1::]:80",
            "[2001::1]:80",
            "[64:ff9b::7f00:1]:80",
            "[::7f00:1]:80",
        ] {
            assert!(!policy.allows(addr(refused)), "{refused}");
        }
        assert!(policy.allows(addr("172.32.0.1:80")));
        assert!(policy.allows(addr("100.128.0.1:80")));
    }

    #[test]
    fn development_allows_loopback_and_private_but_not_link_local_or_itself() {
        let policy = Policy {
            own: Some(addr("127.0.0.1:8080")),
            ..Policy::development()
        };
        for allowed in [
            "127.0.0.1:9000",
            "[::1]:9000",
            "10.0.0.1:80",
            "[fd00::1]:80",
            "127.0.0.2:8080",
        ] {
            assert!(policy.allows(addr(allowed)), "{allowed}");
        }
        for refused in [
            "127.0.0.1:8080",
            "[::ffff:127.0.0.1]:8080",
            "0.0.0.0:8080",
            "169.254.169.254:80",
            "[fe80::1]:80",
            "224.0.0.1:80",
        ] {
            assert!(!policy.allows(addr(refused)), "{refused}");
        }
        let anywhere = Policy {
            own: Some(addr("[::]:8080")),
            ..Policy::development()
        };
        assert!(!anywhere.allows(addr("127.0.0.1:8080")));
        assert!(!anywhere.allows(addr("192.168.1.5:8080")));
        assert!(anywhere.allows(addr("127.0.0.1:8081")));
    }

    #[test]
    fn the_allow_list_adds_ranges_but_never_the_service_itself() {
        let policy = Policy {
            allow: vec![
                parse_range("10.20.0.0/16").unwrap(),
                parse_range("127.0.0.1").unwrap(),
            ],
            own: Some(addr("127.0.0.1:8080")),
            ..Policy::default()
        };
        assert!(policy.allows(addr("10.20.3.4:80")));
        assert!(policy.allows(addr("[::ffff:10.20.3.4]:80")));
        assert!(!policy.allows(addr("10.21.0.1:80")));
        assert!(policy.allows(addr("127.0.0.1:9000")));
        assert!(!policy.allows(addr("127.0.0.2:9000")));
        assert!(!policy.allows(addr("[::1]:9000")));
        assert!(!policy.allows(addr("127.0.0.1:8080")));
        assert_eq!(
            parse_range("10.20.1.2/16").unwrap().to_string(),
            "10.20.0.0/16"
        );
        assert!(parse_range("10.20.0.0/33").is_err());
        assert!(parse_range("example.com").is_err());
    }

    #[test]
    fn labels_show_the_host_only() {
        for (uri, label_) in [
            (
                "https://user:secret@example.com/a/b?X-Amz-Signature=secret#x",
                "https://example.com",
            ),
            ("http://2130706433:8080/x", "http://127.0.0.1:8080"),
            ("http://0x7f.1/", "http://127.0.0.1"),
            ("http://[::ffff:127.0.0.1]:1/", "http://[::ffff:7f00:1]:1"),
        ] {
            assert_eq!(label(&Url::parse(uri).unwrap()), label_);
        }
    }

    #[test]
    fn literal_hosts_are_checked_in_every_spelling() {
        let checks = Checks::new(&Policy::default(), Duration::from_secs(1));
        for uri in [
            "http://127.0.0.1:1/",
            "http://2130706433:1/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[0:0:0:0:0:ffff:7f00:1]/",
            "http://0/",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            let stop = checks.check(&Url::parse(uri).unwrap(), false).unwrap_err();
            assert!(
                stop.to_string().ends_with("are not allowed"),
                "{uri}: {stop}"
            );
        }
        let stop = checks
            .check(&Url::parse("file:///etc/passwd").unwrap(), false)
            .unwrap_err();
        assert_eq!(
            stop.to_string(),
            "a file: URI; imports are downloaded over http or https only"
        );
        assert!(
            checks
                .check(&Url::parse("https://example.com/x").unwrap(), false)
                .is_ok()
        );
        assert!(
            checks
                .check(&Url::parse("http://8.8.8.8/x").unwrap(), true)
                .is_ok()
        );
    }
}
