//! Reading collections: GET a page, follow `@odata.nextLink` verbatim until
//! there is none.
//!
//! A nextLink is only followed to the Graph host we were configured with
//! (our bearer token must not go anywhere else), and a link seen before
//! ends the walk with [`Error::PagingLoop`] instead of spinning forever.

use std::collections::HashSet;

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use super::http::{path_and_query, Call};
use super::wire::{decode, Page};
use super::{Error, Inner};

/// A walk longer than this is treated as a loop even without a repeated
/// link (e.g. a server minting a fresh skip token forever).
const MAX_PAGES: usize = 10_000;

impl Inner {
    /// GETs `url` and parses the JSON body as `T`.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        tenant: &str,
        url: Url,
        what: &str,
    ) -> Result<T, Error> {
        let call = Call {
            method: Method::GET,
            tenant,
            url,
            body: None,
        };
        let reply = self.execute(&call).await.map_err(|f| f.error)?;
        decode(&reply.body, what)
    }

    /// Every item of a collection, following nextLinks.
    pub(crate) async fn get_all<T: DeserializeOwned>(
        &self,
        tenant: &str,
        first: Url,
        what: &str,
    ) -> Result<Vec<T>, Error> {
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            if !seen.insert(url.to_string()) || seen.len() > MAX_PAGES {
                return Err(Error::PagingLoop {
                    path: path_and_query(&url),
                });
            }
            let page: Page<T> = self.get_json(tenant, url, what).await?;
            items.extend(page.value);
            next = page
                .next_link
                .map(|link| self.next_url(&link))
                .transpose()?;
        }
        tracing::debug!(
            tenant,
            what,
            items = items.len(),
            pages = seen.len(),
            "collection read"
        );
        Ok(items)
    }

    /// Parses a nextLink and checks it stays on our Graph host.
    fn next_url(&self, link: &str) -> Result<Url, Error> {
        let bad = |detail: String| Error::Decode {
            what: "@odata.nextLink".into(),
            detail,
        };
        let url = Url::parse(link).map_err(|e| bad(format!("not a URL: {e}")))?;
        let ours = Url::parse(&self.config.graph_url)
            .map_err(|e| Error::Config(format!("Graph URL: {e}")))?;
        if url.origin() != ours.origin() {
            return Err(bad(format!(
                "points away from {}",
                ours.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }
}
