//! The workspace's files, built into the binary: scripts, the style sheet, the vendored graph
//! library with its licence, and the map's geography (the force registry's centres and the
//! coastline the printable package's maps use), so nothing is fetched from anywhere at run time.
//!
//! Files are served with an `ETag` (a hash of their bytes), so a browser asks again on each page
//! but downloads a file only when this binary's copy differs.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orca_model::ForceRegistry;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// (path under `/ui/assets/`, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../ui/app.css")),
    ("common.js", "text/javascript; charset=utf-8", include_bytes!("../ui/common.js")),
    ("analyst.js", "text/javascript; charset=utf-8", include_bytes!("../ui/analyst.js")),
    ("entity.js", "text/javascript; charset=utf-8", include_bytes!("../ui/entity.js")),
    ("network.js", "text/javascript; charset=utf-8", include_bytes!("../ui/network.js")),
    ("map.js", "text/javascript; charset=utf-8", include_bytes!("../ui/map.js")),
    ("timeline.js", "text/javascript; charset=utf-8", include_bytes!("../ui/timeline.js")),
    ("force.js", "text/javascript; charset=utf-8", include_bytes!("../ui/force.js")),
    ("vendor/cytoscape.min.js", "text/javascript; charset=utf-8", include_bytes!("../ui/vendor/cytoscape.min.js")),
    ("vendor/cytoscape.LICENSE", "text/plain; charset=utf-8", include_bytes!("../ui/vendor/cytoscape.LICENSE")),
];

struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: std::borrow::Cow<'static, [u8]>,
    etag: String,
}

fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let mut assets: Vec<Asset> = FILES
            .iter()
            .map(|(path, content_type, bytes)| Asset {
                path,
                content_type,
                bytes: std::borrow::Cow::Borrowed(*bytes),
                etag: etag(bytes),
            })
            .collect();
        let geography = geography_json().into_bytes();
        let etag = etag(&geography);
        assets.push(Asset {
            path: "geo.json",
            content_type: "application/json",
            bytes: std::borrow::Cow::Owned(geography),
            etag,
        });
        assets
    })
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..16])
}

/// `GET /ui/assets/{path}`.
pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = assets().iter().find(|asset| asset.path == path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let cached = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(asset.etag.as_str());
    let etag = HeaderValue::from_str(&asset.etag).expect("a hex etag is a valid header");
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if cached {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), cache]).into_response();
    }
    let content_type = HeaderValue::from_static(asset.content_type);
    ([(header::CONTENT_TYPE, content_type), (header::ETAG, etag), cache], asset.bytes.clone()).into_response()
}

/// `{"forces": [{"slug", "name", "lat", "lon"}], "outlines": [[[lat, lon], …], …]}`.
fn geography_json() -> String {
    let forces: Vec<serde_json::Value> = ForceRegistry::global()
        .iter()
        .filter_map(|force| {
            let (lat, lon) = force.centre?;
            Some(serde_json::json!({ "slug": force.id.as_str(), "name": force.name, "lat": lat, "lon": lon }))
        })
        .collect();
    let outlines: Vec<Vec<[f64; 2]>> = orca_packages::print::COASTLINE
        .iter()
        .map(|outline| outline.iter().map(|&(lat, lon)| [lat, lon]).collect())
        .collect();
    serde_json::json!({ "forces": forces, "outlines": outlines }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_geography_has_every_territorial_force_and_the_coastline() {
        let geography: serde_json::Value = serde_json::from_str(&geography_json()).unwrap();
        let forces = geography["forces"].as_array().unwrap();
        assert!(forces.len() >= 43, "{}", forces.len());
        assert!(forces.iter().any(|f| f["slug"] == "kent" && f["lat"].as_f64().unwrap() > 51.0));
        assert!(geography["outlines"].as_array().unwrap().len() > 2);
    }

    #[test]
    fn the_graph_library_is_served_with_its_licence() {
        let licence = assets().iter().find(|a| a.path == "vendor/cytoscape.LICENSE").unwrap();
        assert!(String::from_utf8_lossy(&licence.bytes).contains("Permission is hereby granted"));
    }
}
