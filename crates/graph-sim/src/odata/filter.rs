//! A small `$filter` language: comparisons (`eq ne gt ge lt le`) of a
//! property with a literal, combined with `and`, `or`, `not` and
//! parentheses. Literals follow OData: strings and enum members in single
//! quotes, DateTimeOffset values unquoted (`2025-01-01T00:00:00Z`),
//! numbers, `true`, `false`, `null`.
//!
//! Each endpoint declares which properties it filters on (`Spec`), so an
//! unknown property, an enum literal that is not a member, or a quoted
//! timestamp are refused with 400 as Graph's OData layer does.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::clock::parse_time;
use crate::wire::GraphError;

/// The type of a filterable property.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// Edm.String.
    Text,
    /// Edm.DateTimeOffset.
    Time,
    /// An enum with these members (compared by member order).
    Enum(&'static [&'static str]),
}

/// Filterable properties of one entity type.
pub struct Spec {
    /// Qualified type name, for error messages.
    pub type_name: &'static str,
    /// Property path (`customer/tenantId`) and type.
    pub fields: &'static [(&'static str, Field)],
}

#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Text(String),
    Time(DateTime<Utc>),
    Number(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A parsed filter expression.
#[derive(Debug, Clone)]
pub enum Filter {
    /// Both hold.
    And(Box<Filter>, Box<Filter>),
    /// Either holds.
    Or(Box<Filter>, Box<Filter>),
    /// Negation.
    Not(Box<Filter>),
    /// `path op literal`.
    Cmp(String, Field, CmpOp),
}

/// A comparison operator with its literal (opaque to callers).
#[derive(Debug, Clone)]
pub struct CmpOp(Op, Lit);

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Open,
    Close,
}

fn invalid(text: &str) -> GraphError {
    GraphError::bad_request(format!("Invalid filter clause: {text}"))
}

fn tokenize(text: &str) -> Result<Vec<Tok>, GraphError> {
    let mut toks = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            toks.push(if c == '(' { Tok::Open } else { Tok::Close });
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(invalid("unterminated string literal")),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            toks.push(Tok::Quoted(s));
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '(' && chars[i] != ')'
            {
                i += 1;
            }
            toks.push(Tok::Word(chars[start..i].iter().collect()));
        }
    }
    Ok(toks)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    spec: &'a Spec,
}

impl Filter {
    /// Parses and type-checks `text` against `spec`.
    pub fn parse(text: &str, spec: &Spec) -> Result<Filter, GraphError> {
        let mut parser = Parser {
            toks: tokenize(text)?,
            at: 0,
            spec,
        };
        let filter = parser.or()?;
        if parser.at != parser.toks.len() {
            return Err(invalid("unexpected text after expression"));
        }
        Ok(filter)
    }

    /// Whether `item` satisfies the filter.
    pub fn matches(&self, item: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(item) && b.matches(item),
            Filter::Or(a, b) => a.matches(item) || b.matches(item),
            Filter::Not(a) => !a.matches(item),
            Filter::Cmp(path, field, CmpOp(op, lit)) => {
                compare(lookup(item, path), *field, *op, lit)
            }
        }
    }
}

impl Parser<'_> {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Filter, GraphError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, GraphError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, GraphError> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.toks.get(self.at) == Some(&Tok::Open) {
            self.at += 1;
            let inner = self.or()?;
            if self.toks.get(self.at) != Some(&Tok::Close) {
                return Err(invalid("missing ')'"));
            }
            self.at += 1;
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Filter, GraphError> {
        let (Some(Tok::Word(path)), Some(Tok::Word(op)), Some(lit)) = (
            self.toks.get(self.at).cloned(),
            self.toks.get(self.at + 1).cloned(),
            self.toks.get(self.at + 2).cloned(),
        ) else {
            return Err(invalid("expected 'property operator literal'"));
        };
        self.at += 3;
        let field = self
            .spec
            .fields
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&path))
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                GraphError::bad_request(format!(
                    "Invalid filter clause: Could not find a filterable property named '{path}' on type '{}'.",
                    self.spec.type_name
                ))
            })?;
        let op = match op.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => return Err(invalid(&format!("unsupported operator '{other}'"))),
        };
        let lit = literal(lit, field)?;
        let canonical_path = self
            .spec
            .fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&path))
            .map(|(n, _)| *n)
            .unwrap_or_default();
        Ok(Filter::Cmp(
            canonical_path.to_string(),
            field,
            CmpOp(op, lit),
        ))
    }
}

fn incompatible(field: Field, found: &str) -> GraphError {
    let expected = match field {
        Field::Text => "Edm.String",
        Field::Time => "Edm.DateTimeOffset",
        Field::Enum(_) => "enum",
    };
    GraphError::bad_request(format!(
        "Invalid filter clause: A binary operator with incompatible types was detected. Found operand types '{expected}' and '{found}'."
    ))
}

fn literal(tok: Tok, field: Field) -> Result<Lit, GraphError> {
    let lit = match tok {
        Tok::Quoted(s) => Lit::Text(s),
        Tok::Word(w) if w == "null" => Lit::Null,
        Tok::Word(w) if w == "true" || w == "false" => Lit::Bool(w == "true"),
        Tok::Word(w) => match parse_time(&w) {
            Some(t) => Lit::Time(t),
            None => Lit::Number(
                w.parse()
                    .map_err(|_| invalid(&format!("unrecognised literal '{w}'")))?,
            ),
        },
        Tok::Open | Tok::Close => return Err(invalid("unexpected parenthesis")),
    };
    match (field, &lit) {
        (_, Lit::Null) => Ok(lit),
        (Field::Time, Lit::Time(_)) | (Field::Text, Lit::Text(_)) => Ok(lit),
        (Field::Enum(members), Lit::Text(s)) => match crate::enums::canonical(members, s) {
            Some(m) => Ok(Lit::Text(m.to_string())),
            None => Err(GraphError::bad_request(format!(
                "Invalid filter clause: The string '{s}' is not a valid enumeration type constant."
            ))),
        },
        (_, Lit::Text(_)) => Err(incompatible(field, "Edm.String")),
        (_, Lit::Time(_)) => Err(incompatible(field, "Edm.DateTimeOffset")),
        (_, Lit::Number(_)) => Err(incompatible(field, "Edm.Double")),
        (_, Lit::Bool(_)) => Err(incompatible(field, "Edm.Boolean")),
    }
}

fn lookup<'v>(item: &'v Value, path: &str) -> &'v Value {
    path.split('/')
        .fold(item, |v, segment| v.get(segment).unwrap_or(&Value::Null))
}

fn compare(value: &Value, field: Field, op: Op, lit: &Lit) -> bool {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (field, lit, value) {
        (_, Lit::Null, v) => return matches!(op, Op::Eq) == v.is_null(),
        (_, _, Value::Null) => return op == Op::Ne,
        (Field::Time, Lit::Time(t), v) => v.as_str().and_then(parse_time).map(|x| x.cmp(t)),
        (Field::Enum(members), Lit::Text(t), v) => {
            let pos = |s: &str| members.iter().position(|m| m.eq_ignore_ascii_case(s));
            v.as_str().and_then(|s| Some(pos(s)?.cmp(&pos(t)?)))
        }
        (Field::Text, Lit::Text(t), v) => {
            v.as_str().map(|s| s.to_lowercase().cmp(&t.to_lowercase()))
        }
        _ => None,
    };
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: Spec = Spec {
        type_name: "microsoft.graph.security.incident",
        fields: &[
            ("lastUpdateDateTime", Field::Time),
            ("severity", Field::Enum(crate::enums::SEVERITY)),
            ("status", Field::Enum(crate::enums::INCIDENT_STATUS)),
            ("assignedTo", Field::Text),
        ],
    };

    #[test]
    fn and_combined_filter_matches_on_time_and_enums() {
        let f = Filter::parse("lastUpdateDateTime ge 2025-01-01T00:00:00Z and severity eq 'high' and status eq 'active'", &SPEC).expect("parse");
        let hit = json!({"lastUpdateDateTime": "2025-02-01T10:00:00.1234567Z", "severity": "high", "status": "active"});
        let old = json!({"lastUpdateDateTime": "2024-12-31T23:59:59.9999999Z", "severity": "high", "status": "active"});
        assert!(f.matches(&hit));
        assert!(!f.matches(&old));
    }

    #[test]
    fn quoted_timestamp_unknown_property_and_bad_enum_are_refused() {
        assert!(Filter::parse("lastUpdateDateTime ge '2025-01-01T00:00:00Z'", &SPEC).is_err());
        assert!(Filter::parse("title eq 'x'", &SPEC).is_err());
        assert!(Filter::parse("severity eq 'critical'", &SPEC).is_err());
    }

    #[test]
    fn or_not_parentheses_and_null_work() {
        let f = Filter::parse(
            "(severity ge 'medium' or assignedTo eq null) and not status eq 'resolved'",
            &SPEC,
        )
        .expect("parse");
        assert!(f.matches(&json!({"severity": "low", "assignedTo": null, "status": "active"})));
        assert!(!f.matches(&json!({"severity": "low", "assignedTo": "a@b.c", "status": "active"})));
        assert!(!f.matches(&json!({"severity": "high", "status": "resolved"})));
    }
}
