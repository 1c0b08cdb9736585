//! Which links the app opens in the system browser: only Microsoft's
//! portals over https. Graph hands us URLs (incidentWebUrl, actionUrl)
//! that an attacker cannot normally change, but a hostile payload in a
//! tenant must never turn the app into a launcher for arbitrary sites.

use url::Url;

/// Hosts (and their subdomains) the app opens links to.
const ALLOWED_SUFFIXES: &[&str] = &[
    "microsoft.com",
    "microsoft.us",
    "microsoftonline.com",
    "microsoftonline.us",
    "azure.cn",
    "chinacloudapi.cn",
    "office.com",
    "cloud.microsoft",
];

/// Parses `raw` and accepts it only if it is https on a Microsoft host.
pub fn portal_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|_| format!("`{raw}` is not a link"))?;
    if url.scheme() != "https" {
        return Err("Only https links to Microsoft portals are opened".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Links carrying credentials are not opened".into());
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let allowed = ALLOWED_SUFFIXES
        .iter()
        .any(|suffix| host == *suffix || host.ends_with(&format!(".{suffix}")));
    if !allowed {
        return Err(format!(
            "{host} is not a Microsoft portal, so the link is not opened"
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defender_portal_links_are_opened() {
        let url = "https://security.microsoft.com/incidents/42?tid=abc";

        assert!(portal_url(url).is_ok());
    }

    #[test]
    fn look_alike_and_non_https_hosts_are_refused() {
        for url in [
            "https://security.microsoft.com.evil.example/x",
            "https://evilmicrosoft.com/",
            "http://security.microsoft.com/",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://user:pw@security.microsoft.com/",
        ] {
            assert!(portal_url(url).is_err(), "{url} should be refused");
        }
    }
}
