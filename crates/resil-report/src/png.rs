//! Charts as PNG: each SVG rasterised with resvg at twice its size, with the DejaVu Sans font
//! bundled in assets/fonts (free licence), so that text renders the same on a fresh machine
//! without system fonts or development packages.

use std::sync::Arc;

use resil_core::{Error, Result};

const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The PNG of an SVG document, at `scale` times its size.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>> {
    let mut options = resvg::usvg::Options::default();
    let db = Arc::make_mut(&mut options.fontdb);
    db.load_font_data(FONT.to_vec());
    db.load_font_data(FONT_BOLD.to_vec());
    db.set_sans_serif_family("DejaVu Sans");
    options.font_family = "DejaVu Sans".into();
    let tree = resvg::usvg::Tree::from_str(svg, &options)
        .map_err(|e| Error::data("png", format!("cannot read the SVG: {e}")))?;
    let size = tree.size().to_int_size().scale_by(scale).ok_or_else(|| Error::data("png", "the chart has no size"))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| Error::data("png", "cannot allocate the image"))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| Error::data("png", e.to_string()))
}
