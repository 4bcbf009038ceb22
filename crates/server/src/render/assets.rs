//! The static assets, embedded in the binary and served with year-long cache headers: their
//! URLs carry a version derived from the content, so a new build is fetched at once.

use std::sync::LazyLock;

pub(crate) const APP_CSS: &str = include_str!("../../assets/app.css");
pub(crate) const APP_JS: &str = include_str!("../../assets/app.js");
pub(crate) const FAVICON: &str = include_str!("../../assets/favicon.svg");
pub(crate) const HTMX_JS: &str = include_str!("../../assets/vendor/htmx.min.js");
pub(crate) const ECHARTS_JS: &str = include_str!("../../assets/vendor/echarts.common.min.js");
pub(crate) const HTMX_LICENSE: &str = include_str!("../../assets/vendor/htmx.LICENSE");
pub(crate) const ECHARTS_LICENSE: &str = include_str!("../../assets/vendor/echarts.LICENSE");

/// A short hash of every asset, appended to asset URLs as `?v=…`.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [APP_CSS, APP_JS, HTMX_JS, ECHARTS_JS] {
        for byte in part.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:08x}", hash >> 32)
});

pub(crate) fn version() -> &'static str {
    VERSION.as_str()
}
