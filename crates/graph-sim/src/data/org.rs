//! The cast of one generated customer tenant: its name and domains, its
//! staff (whose UPNs show up as assignees and in evidence) and its devices.

use super::names::{DEVICE_PREFIXES, FAMILY, GIVEN, ORGS};
use super::rng::Gen;

/// A person in a customer tenant.
#[derive(Debug, Clone)]
pub struct Person {
    /// User principal name on the tenant's public domain.
    pub upn: String,
    /// "Given Family".
    pub display_name: String,
    /// sAMAccountName-style short name.
    pub account_name: String,
    /// Entra object id.
    pub object_id: String,
    /// On-premises SID.
    pub sid: String,
}

/// A managed Windows device.
#[derive(Debug, Clone)]
pub struct Device {
    /// NetBIOS host name.
    pub host: String,
    /// Defender for Endpoint device id (40 hex digits).
    pub mde_id: String,
    /// Entra device id.
    pub aad_id: String,
    /// Last internal IP.
    pub ip: String,
    /// OS build number.
    pub os_build: i64,
    /// OS platform as MDE reports it.
    pub os_platform: &'static str,
}

/// Identity of one customer tenant plus its staff and devices.
#[derive(Debug, Clone)]
pub struct Org {
    /// Tenant id.
    pub tenant_id: String,
    /// Organisation display name.
    pub display_name: String,
    /// Public (default) domain, e.g. contosohealth.com.au.
    pub domain: String,
    /// Initial domain, e.g. contosohealth.onmicrosoft.com.
    pub initial_domain: String,
    /// Staff; the first three are the IT/security people used as assignees.
    pub people: Vec<Person>,
    /// Devices.
    pub devices: Vec<Device>,
}

impl Org {
    /// Generates the `index`-th organisation; names repeat with a number
    /// suffix once the list of organisations is exhausted.
    pub fn generate(gen: &mut Gen, index: usize) -> Org {
        let (name, label, suffix) = ORGS[index % ORGS.len()];
        let round = index / ORGS.len();
        let (display_name, label) = if round == 0 {
            (name.to_string(), label.to_string())
        } else {
            (
                format!("{name} {}", round + 1),
                format!("{label}{}", round + 1),
            )
        };
        let domain = format!("{label}.{suffix}");
        let tenant_id = gen.guid();
        let initial_domain = format!("{}.onmicrosoft.com", label.replace('-', ""));
        Org::with_identity(gen, tenant_id, display_name, domain, initial_domain)
    }

    /// An organisation with a given identity (fixtures) and generated
    /// staff and devices on its `domain`.
    pub fn with_identity(
        gen: &mut Gen,
        tenant_id: String,
        display_name: String,
        domain: String,
        initial_domain: String,
    ) -> Org {
        let people = (0..12).map(|_| person(gen, &domain)).collect();
        let devices = (0..8).map(|_| device(gen)).collect();
        Org {
            tenant_id,
            display_name,
            domain,
            initial_domain,
            people,
            devices,
        }
    }

    /// The people analysts assign incidents to.
    pub fn assignees(&self) -> &[Person] {
        &self.people[..3]
    }
}

fn person(gen: &mut Gen, domain: &str) -> Person {
    let given = *gen.pick(GIVEN);
    let family = *gen.pick(FAMILY);
    let account_name = format!("{}{}", given.to_lowercase(), &family[..1].to_lowercase());
    Person {
        upn: format!("{given}{}@{domain}", &family[..1]),
        display_name: format!("{given} {family}"),
        sid: format!(
            "S-1-5-21-{}-{}-{}-{}",
            gen.digits(10),
            gen.digits(10),
            gen.digits(9),
            gen.range(1100, 9999)
        ),
        object_id: gen.guid(),
        account_name,
    }
}

fn device(gen: &mut Gen) -> Device {
    let prefix = *gen.pick(DEVICE_PREFIXES);
    let server = prefix.starts_with("SRV");
    let os_build: i64 = if server {
        20348
    } else {
        *gen.pick(&[19045, 22621, 22631, 26100])
    };
    Device {
        host: format!("{prefix}-{}", gen.hex(6).to_uppercase()),
        mde_id: gen.hex(40),
        aad_id: gen.guid(),
        ip: gen.private_ip(),
        os_build,
        os_platform: match os_build {
            20348 => "WindowsServer2022",
            19045 => "Windows10",
            _ => "Windows11",
        },
    }
}
