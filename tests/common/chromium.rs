//! Finding Chromium for the browser tests (`report_browser`, `serve_browser`).

use std::path::PathBuf;

/// Chromium's path: `$CHROMIUM`, else `/usr/bin/chromium`, else `chromium` on the `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.exists() {
        return Some(debian);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|p| p.exists())
}
