//! The content security policies of the kinds of answers.

/// JSON is never rendered as a page, so it may load nothing and be framed nowhere.
pub const JSON_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// Staff pages load the site's own scripts and styles only (no inline code, no CDN).
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// Public pages load nothing but this site's style sheets and images: no scripts at all.
pub const PUBLIC_CSP: &str = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
