//! Word lists the generators draw from: customer organisations with their
//! public domains, people, devices and apps. Plain data, no logic.

/// Customer organisations: display name, domain label, public suffix.
pub const ORGS: &[(&str, &str, &str)] = &[
    ("Contoso Health", "contosohealth", "com.au"),
    ("Fabrikam Logistics", "fabrikamlogistics", "com"),
    ("Northwind Traders", "northwindtraders", "com"),
    ("Tailspin Toys", "tailspintoys", "co.uk"),
    ("Woodgrove Bank", "woodgrovebank", "com"),
    ("Adventure Works Cycles", "adventure-works", "com"),
    ("Litware Legal", "litwarelegal", "com.au"),
    ("Proseware Engineering", "proseware", "co.nz"),
    ("Wingtip Accounting", "wingtipaccounting", "com.au"),
    ("Alpine Ski House", "alpineskihouse", "ch"),
    ("Coho Winery", "cohowinery", "com"),
    ("Fourth Coffee", "fourthcoffee", "com.au"),
    ("Lamna Healthcare", "lamnahealthcare", "org"),
    ("Margie's Travel", "margiestravel", "com"),
    ("Relecloud Media", "relecloud", "com"),
    ("Trey Research", "treyresearch", "net"),
    ("Southridge Video", "southridgevideo", "com"),
    ("VanArsdel Dental", "vanarsdeldental", "com.au"),
    ("Wide World Importers", "wideworldimporters", "com"),
    (
        "Graphic Design Institute",
        "graphicdesigninstitute",
        "edu.au",
    ),
    ("Humongous Insurance", "humongousinsurance", "com"),
    ("Blue Yonder Airlines", "blueyonderairlines", "com"),
    ("City Power & Light", "citypowerlight", "com.au"),
    ("School of Fine Art", "fineartschool", "net"),
    ("Consolidated Messenger", "consolidatedmessenger", "com"),
    ("Lucerne Publishing", "lucernepublishing", "com"),
    ("Bellows College", "bellowscollege", "edu"),
    ("Best For You Organics", "bestforyouorganics", "com.au"),
    ("Nod Publishers", "nodpublishers", "com"),
    ("Olympia Property Group", "olympiaproperty", "com.au"),
];

/// Given names of customer staff.
pub const GIVEN: &[&str] = &[
    "Megan",
    "Adele",
    "Alex",
    "Diego",
    "Isaiah",
    "Johanna",
    "Lee",
    "Lidia",
    "Lynne",
    "Miriam",
    "Nestor",
    "Patti",
    "Pradeep",
    "Grady",
    "Henrietta",
    "Joni",
    "Irvin",
    "Priya",
    "Kai",
    "Aroha",
];

/// Family names of customer staff.
pub const FAMILY: &[&str] = &[
    "Bowen",
    "Vance",
    "Wilber",
    "Soto",
    "Langer",
    "Lambert",
    "Gu",
    "Holloway",
    "Robinson",
    "Gonzalez",
    "Wilke",
    "Fernandez",
    "Gupta",
    "Archie",
    "Mueller",
    "Sherman",
    "Sayers",
    "Patel",
    "Chen",
    "Ngata",
];

/// Windows device name prefixes.
pub const DEVICE_PREFIXES: &[&str] = &["DESKTOP", "LAPTOP", "WKS", "SRV-FS", "SRV-DC", "RECEPTION"];

/// Cities with country for IP geolocation: city, state, country, code, lat, long.
pub const PLACES: &[(&str, &str, &str, &str, f64, f64)] = &[
    ("Lagos", "Lagos", "Nigeria", "NG", 6.4541, 3.3947),
    ("Moscow", "Moscow", "Russia", "RU", 55.7522, 37.6156),
    (
        "Amsterdam",
        "North Holland",
        "Netherlands",
        "NL",
        52.374,
        4.8897,
    ),
    (
        "Ashburn",
        "Virginia",
        "United States",
        "US",
        39.0438,
        -77.4874,
    ),
    (
        "Sydney",
        "New South Wales",
        "Australia",
        "AU",
        -33.8688,
        151.2093,
    ),
    (
        "Singapore",
        "Singapore",
        "Singapore",
        "SG",
        1.2897,
        103.8501,
    ),
    ("Bucharest", "Bucuresti", "Romania", "RO", 44.4323, 26.1063),
];

/// Cloud apps seen in Defender for Cloud Apps evidence: name, app id.
pub const CLOUD_APPS: &[(&str, i64)] = &[
    ("Microsoft Exchange Online", 20893),
    ("Microsoft SharePoint Online", 20892),
    ("Microsoft OneDrive for Business", 15600),
    ("Dropbox", 10489),
    ("Microsoft Teams", 28375),
];

/// OAuth apps used in consent-phishing alerts: name, publisher.
pub const OAUTH_APPS: &[(&str, &str)] = &[
    ("PDF Viewer Online", "Unverified"),
    ("Mail Sync Pro", "Unverified"),
    ("Calendar Helper", "Lucky Apps Ltd"),
];

/// Phishing subjects for analyzed messages.
pub const SUBJECTS: &[&str] = &[
    "Action required: your mailbox storage is full",
    "Invoice INV-20931 overdue",
    "Shared document: Q3 payroll adjustments",
    "DocuSign: please review and sign",
    "Voicemail received (00:42)",
];

/// Sender domains that look like lures.
pub const LURE_DOMAINS: &[&str] = &[
    "secure-docs-share.com",
    "m1crosoft-support.net",
    "invoice-portal.co",
    "voicemail-notify.io",
];

/// Customer tags analysts put on incidents.
pub const CUSTOM_TAGS: &[&str] = &["VIP", "Finance", "Clinical", "After hours", "Escalated"];

/// Comments analysts leave.
pub const COMMENTS: &[&str] = &[
    "Contacted the user by phone, they did not recognise the sign-in.",
    "Device isolated pending reimage.",
    "Password reset and sessions revoked.",
    "Checked with the customer, this is their pen test vendor.",
    "Mail purged from all mailboxes.",
];
