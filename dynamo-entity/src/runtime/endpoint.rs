//! The production config guard: which endpoint a table's requests go to, and a warning when a
//! release build sends them somewhere that is not AWS.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::Client;

use super::table::Table;

/// What one table's requests showed of their endpoint; shared by the handle's clones.
#[derive(Debug, Default)]
pub(crate) struct EndpointState {
    /// `scheme://host[:port]` of the first request sent.
    seen: OnceLock<String>,
    /// The code said a custom endpoint is intended ([`Table::with_custom_endpoint_intended`]).
    intended: AtomicBool,
}

/// Warned once per process, whatever the number of tables.
static WARNED: AtomicBool = AtomicBool::new(false);

/// What a request's endpoint is, as the guard sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndpointKind {
    /// An AWS DynamoDB endpoint (`*.amazonaws.com`, `*.amazonaws.com.cn`, `*.api.aws`).
    Aws,
    /// This machine: DynamoDB Local, most likely.
    Loopback,
    /// Anything else: a proxy, a test server, another host's DynamoDB Local.
    Custom,
}

/// Classifies the host of `endpoint` (`scheme://host[:port]`).
pub(crate) fn endpoint_kind(endpoint: &str) -> EndpointKind {
    let authority = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    let authority = authority.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        // An IPv6 literal: `[::1]:8000`.
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host == "::1" || host.starts_with("127.") || host == "0.0.0.0" {
        EndpointKind::Loopback
    } else if [".amazonaws.com", ".amazonaws.com.cn", ".api.aws"]
        .iter()
        .any(|suffix| host.ends_with(suffix))
    {
        EndpointKind::Aws
    } else {
        EndpointKind::Custom
    }
}

/// The warning a build gives for requests to `endpoint`, if any: only release builds warn, and
/// only when the code has not said that the endpoint is intended.
pub(crate) fn endpoint_warning(endpoint: &str, release: bool, intended: bool) -> Option<String> {
    let kind = endpoint_kind(endpoint);
    if !release || intended || kind == EndpointKind::Aws {
        return None;
    }
    let what = match kind {
        EndpointKind::Loopback => "a loopback address (DynamoDB Local?)",
        _ => "an endpoint that is not AWS's",
    };
    Some(format!(
        "this release build sends DynamoDB requests to {endpoint}, {what}; if that is \
         intended (a benchmark against DynamoDB Local), say so with \
         Table::with_custom_endpoint_intended()"
    ))
}

#[derive(Debug)]
struct EndpointWatch(Arc<EndpointState>);

impl Intercept for EndpointWatch {
    fn name(&self) -> &'static str {
        "dynamo_entity::EndpointWatch"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        if self.0.seen.get().is_some() {
            return Ok(());
        }
        let uri = context.request().uri();
        let endpoint = match uri.split_once("://") {
            Some((scheme, rest)) => {
                format!("{scheme}://{}", rest.split('/').next().unwrap_or_default())
            }
            None => uri.to_owned(),
        };
        let release = !cfg!(debug_assertions);
        let intended = self.0.intended.load(Ordering::Relaxed);
        if let Some(warning) = endpoint_warning(&endpoint, release, intended) {
            if !WARNED.swap(true, Ordering::Relaxed) {
                tracing::warn!(target: "dynamo_entity", "{warning}");
            }
        }
        let _ = self.0.seen.set(endpoint);
        Ok(())
    }
}

/// `client` with an interceptor noting the endpoint of its first request in `state`.
pub(crate) fn watch_endpoint(client: &Client, state: &Arc<EndpointState>) -> Client {
    let config = client
        .config()
        .to_builder()
        .interceptor(EndpointWatch(Arc::clone(state)))
        .build();
    Client::from_conf(config)
}

impl Table {
    /// Says that this table's endpoint, if it is not AWS's (DynamoDB Local, a proxy), is
    /// intended: a release build then does not warn about it. Benchmarks and tools that run
    /// against DynamoDB Local in release mode use it.
    ///
    /// Without it, the first request of a release build whose table points at a loopback or
    /// other non-AWS endpoint logs one warning (`tracing`, target `dynamo_entity`): a local
    /// endpoint left in production configuration is a classic outage.
    pub fn with_custom_endpoint_intended(self) -> Table {
        self.endpoint.intended.store(true, Ordering::Relaxed);
        self
    }

    /// The endpoint (`scheme://host[:port]`) that this table's first request went to, once one
    /// has been sent; shown in the design report.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.seen.get().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_endpoints() {
        let cases = [
            (
                "https://dynamodb.eu-west-1.amazonaws.com",
                EndpointKind::Aws,
            ),
            (
                "https://dynamodb.cn-north-1.amazonaws.com.cn",
                EndpointKind::Aws,
            ),
            ("https://dynamodb.us-east-1.api.aws", EndpointKind::Aws),
            ("http://localhost:8000", EndpointKind::Loopback),
            ("http://127.0.0.1:41234", EndpointKind::Loopback),
            ("http://[::1]:8000", EndpointKind::Loopback),
            ("http://dynamo.internal:8000", EndpointKind::Custom),
            // A look-alike is not AWS.
            ("https://amazonaws.com.evil.example", EndpointKind::Custom),
        ];
        for (endpoint, kind) in cases {
            assert_eq!(endpoint_kind(endpoint), kind, "{endpoint}");
        }
    }

    #[test]
    fn only_release_builds_warn_and_only_when_not_intended() {
        let local = "http://127.0.0.1:8000";
        let warning = endpoint_warning(local, true, false).expect("a warning");
        assert!(
            warning.contains("http://127.0.0.1:8000, a loopback address"),
            "{warning}"
        );
        assert!(
            warning.contains("with_custom_endpoint_intended"),
            "{warning}"
        );
        assert_eq!(endpoint_warning(local, false, false), None);
        assert_eq!(endpoint_warning(local, true, true), None);
        let aws = "https://dynamodb.us-east-1.amazonaws.com";
        assert_eq!(endpoint_warning(aws, true, false), None);
        let proxy = endpoint_warning("http://10.0.0.5:8000", true, false).expect("a warning");
        assert!(proxy.contains("not AWS's"), "{proxy}");
    }
}
