//! Entra role template ids used in GDAP relationships, and what a set of
//! roles allows on the security paths.
//!
//! Simplification: the simulator derives both delegated access (GDAP) and
//! application access (app roles consented in the customer tenant) from
//! the roles of the tenant's active GDAP relationships. Real tenants keep
//! the two apart; for an MSP app they are normally granted together.

/// Security Reader.
pub const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
/// Security Administrator.
pub const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
/// Security Operator.
pub const SECURITY_OPERATOR: &str = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f";
/// Global Reader.
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
/// Exchange Administrator.
pub const EXCHANGE_ADMINISTRATOR: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
/// User Administrator.
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
/// Helpdesk Administrator.
pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

/// Roles that grant anything on the security paths.
pub const SECURITY_ROLES: &[&str] = &[
    SECURITY_READER,
    SECURITY_ADMINISTRATOR,
    SECURITY_OPERATOR,
    GLOBAL_READER,
];

/// Roles a fully managed tenant gets.
pub const MANAGE_SET: &[&str] = &[SECURITY_READER, SECURITY_OPERATOR, SECURITY_ADMINISTRATOR];

/// Roles a read-only tenant gets.
pub const READ_SET: &[&str] = &[SECURITY_READER, GLOBAL_READER];

/// Roles a tenant without security roles gets.
pub const OTHER_SET: &[&str] = &[
    EXCHANGE_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    HELPDESK_ADMINISTRATOR,
];

/// What a caller may do on `/security`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Nothing: security paths answer 403.
    None,
    /// Lists and gets.
    Read,
    /// Also PATCH and comments.
    Write,
}

/// Access granted by a set of role template ids.
pub fn access_of<'a>(roles: impl IntoIterator<Item = &'a str>) -> Access {
    let mut access = Access::None;
    for role in roles {
        let granted = match role {
            SECURITY_ADMINISTRATOR | SECURITY_OPERATOR => Access::Write,
            SECURITY_READER | GLOBAL_READER => Access::Read,
            _ => Access::None,
        };
        access = access.max(granted);
    }
    access
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_writes_reader_reads_exchange_admin_gets_nothing() {
        assert_eq!(
            access_of([SECURITY_OPERATOR, SECURITY_READER]),
            Access::Write
        );
        assert_eq!(access_of(READ_SET.iter().copied()), Access::Read);
        assert_eq!(access_of(OTHER_SET.iter().copied()), Access::None);
    }
}
