//! OData query options for the list endpoints: parsing `$top`, `$skip`,
//! `$count`, `$expand` and `$filter` from the raw query string, and
//! cutting a filtered list into pages linked by `@odata.nextLink`.
//!
//! `$top` is treated as the page size, as Graph does for most lists: the
//! response holds at most `$top` items and a nextLink when more match.

pub mod filter;

use serde::Serialize;

use crate::wire::GraphError;
pub use filter::{Field, Filter, Spec};

/// Parsed query options of one request.
#[derive(Debug, Default)]
pub struct Query {
    /// `$top`, if given.
    pub top: Option<usize>,
    /// `$skip` (0 when absent).
    pub skip: usize,
    /// `$count=true`.
    pub count: bool,
    /// `$expand` items.
    pub expand: Vec<String>,
    /// The raw `$filter` text, kept for nextLinks.
    pub filter_text: Option<String>,
    /// The raw `$expand` text, kept for nextLinks.
    pub expand_text: Option<String>,
}

impl Query {
    /// Parses the query string (without `?`). `$select` and `$orderby`
    /// are accepted and ignored: the docs list neither for the security
    /// lists, and ignoring keeps clients that send them working.
    pub fn parse(raw: Option<&str>) -> Result<Query, GraphError> {
        let mut query = Query::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let key = key.trim_start_matches('$').to_ascii_lowercase();
            match key.as_str() {
                "top" => query.top = Some(number("$top", &value)?),
                "skip" => query.skip = number("$skip", &value)?,
                "count" => query.count = boolean("$count", &value)?,
                "filter" => query.filter_text = Some(value.into_owned()),
                "expand" => {
                    query.expand = value.split(',').map(|s| s.trim().to_string()).collect();
                    query.expand_text = Some(value.into_owned());
                }
                _ => {}
            }
        }
        Ok(query)
    }

    /// The parsed `$filter`, validated against `spec`.
    pub fn filter(&self, spec: &Spec) -> Result<Option<Filter>, GraphError> {
        self.filter_text
            .as_deref()
            .map(|text| Filter::parse(text, spec))
            .transpose()
    }

    /// Whether `$expand` names `nav`.
    pub fn expands(&self, nav: &str) -> bool {
        self.expand.iter().any(|e| e.eq_ignore_ascii_case(nav))
    }
}

fn number(name: &str, value: &str) -> Result<usize, GraphError> {
    value.trim().parse().map_err(|_| {
        GraphError::bad_request(format!(
            "Invalid value '{value}' for query option '{name}'."
        ))
    })
}

fn boolean(name: &str, value: &str) -> Result<bool, GraphError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(GraphError::bad_request(format!(
            "Invalid value '{value}' for query option '{name}'."
        ))),
    }
}

/// How one list endpoint pages.
pub struct Paging<'a> {
    /// Absolute URL of the list without query (nextLinks start with it).
    pub list_url: &'a str,
    /// `@odata.context` of the list.
    pub context: String,
    /// Page size when there is no `$top`.
    pub default_size: usize,
    /// Largest page served; bigger `$top` values are capped, not refused.
    pub max_size: usize,
}

/// Builds the list body for the items that matched the filter. The items
/// may be borrowed from the world: the body is written out from them, so a
/// list of large objects (alerts with their evidence) is never copied.
pub fn page<T: Serialize>(items: Vec<T>, query: &Query, paging: &Paging) -> Page<T> {
    let total = items.len();
    let size = query
        .top
        .unwrap_or(paging.default_size)
        .min(paging.max_size);
    let end = query.skip.saturating_add(size).min(total);
    Page {
        context: paging.context.clone(),
        count: query.count.then_some(total),
        next_link: (end < total && size > 0).then(|| next_link(query, paging, size, end)),
        value: items.into_iter().skip(query.skip).take(size).collect(),
    }
}

/// One page of a collection as Graph writes it. The fields are in the
/// order a JSON object of the same members is written (sorted by name).
#[derive(Debug, Serialize)]
pub struct Page<T> {
    #[serde(rename = "@odata.context")]
    pub context: String,
    #[serde(rename = "@odata.count", skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
    pub value: Vec<T>,
}

impl<T> Page<T> {
    /// The same page with each item replaced by `f` of it.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            context: self.context,
            count: self.count,
            next_link: self.next_link,
            value: self.value.into_iter().map(f).collect(),
        }
    }
}

fn next_link(query: &Query, paging: &Paging, size: usize, skip: usize) -> String {
    let mut parts = vec![format!("$top={size}"), format!("$skip={skip}")];
    if let Some(filter) = &query.filter_text {
        parts.push(format!("$filter={}", encode(filter)));
    }
    if let Some(expand) = &query.expand_text {
        parts.push(format!("$expand={}", encode(expand)));
    }
    if query.count {
        parts.push("$count=true".into());
    }
    format!("{}?{}", paging.list_url, parts.join("&"))
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn paging() -> Paging<'static> {
        Paging {
            list_url: "http://x/v1.0/security/incidents",
            context: "c".into(),
            default_size: 2,
            max_size: 3,
        }
    }

    #[test]
    fn next_link_keeps_filter_and_moves_skip() {
        let query =
            Query::parse(Some("$filter=severity%20eq%20'high'&$count=true")).expect("query");
        let items: Vec<Value> = (0..5).map(|i| json!({"id": i})).collect();
        let body = serde_json::to_value(page(items, &query, &paging())).expect("writes");
        assert_eq!(body["@odata.count"], 5);
        let next = body["@odata.nextLink"].as_str().expect("next link");
        assert!(
            next.starts_with(
                "http://x/v1.0/security/incidents?$top=2&$skip=2&$filter=severity+eq+%27high%27"
            ),
            "{next}"
        );
        let again = Query::parse(next.split_once('?').map(|(_, q)| q)).expect("query");
        assert_eq!(
            (again.skip, again.top, again.filter_text.as_deref()),
            (2, Some(2), Some("severity eq 'high'"))
        );
    }

    #[test]
    fn last_page_has_no_next_link_and_top_is_capped() {
        let query = Query::parse(Some("$top=100")).expect("query");
        let items: Vec<Value> = (0..3).map(|i| json!({"id": i})).collect();
        let body = serde_json::to_value(page(items, &query, &paging())).expect("writes");
        assert_eq!(body["value"].as_array().map(Vec::len), Some(3));
        assert!(body.get("@odata.nextLink").is_none());
    }

    #[test]
    fn a_page_is_written_as_the_json_object_of_its_members() {
        let query = Query::parse(Some("$count=true")).expect("query");
        let items: Vec<Value> = (0..5).map(|i| json!({"id": i, "b": [i]})).collect();
        let body = page(items.iter().collect(), &query, &paging());

        let written = serde_json::to_string(&body).expect("writes");
        let as_object = serde_json::to_value(&body).expect("writes");

        assert_eq!(written, as_object.to_string(), "same members, same order");
        assert_eq!(
            as_object["value"],
            json!([{"id": 0, "b": [0]}, {"id": 1, "b": [1]}])
        );
    }

    #[test]
    fn bad_top_is_a_bad_request() {
        assert!(Query::parse(Some("$top=ten")).is_err());
    }
}
