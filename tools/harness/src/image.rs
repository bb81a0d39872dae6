//! Screen images: PPM (what older QEMUs' `screendump` writes) to PNG, and
//! a cheap PNG header check.

use std::io::Write;

/// The eight bytes every PNG file starts with.
pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// A decoded binary PPM (P6) image with 8-bit samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgb8Image {
    pub width: u32,
    pub height: u32,
    /// Row-major RGB triples.
    pub pixels: Vec<u8>,
}

/// Parses a binary PPM ("P6") with maxval 255 or less.
pub fn parse_ppm(data: &[u8]) -> Result<Rgb8Image, String> {
    let mut pos = 0usize;
    let magic = next_token(data, &mut pos).ok_or("empty PPM")?;
    if magic != b"P6" {
        return Err(format!(
            "not a binary PPM (magic {:?})",
            String::from_utf8_lossy(magic)
        ));
    }
    let mut numbers = [0u32; 3];
    for (slot, what) in numbers.iter_mut().zip(["width", "height", "maxval"]) {
        let tok = next_token(data, &mut pos).ok_or_else(|| format!("PPM header lacks {what}"))?;
        *slot = std::str::from_utf8(tok)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad PPM {what}"))?;
    }
    let [width, height, maxval] = numbers;
    if maxval == 0 || maxval > 255 {
        return Err(format!("unsupported PPM maxval {maxval}"));
    }
    // Exactly one whitespace byte separates the header from the samples.
    pos += 1;
    let len = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(3))
        .ok_or("PPM dimensions overflow")?;
    let samples = data
        .get(pos..pos + len)
        .ok_or_else(|| format!("PPM truncated: {width}x{height} needs {len} sample bytes"))?;
    let pixels = if maxval == 255 {
        samples.to_vec()
    } else {
        samples
            .iter()
            .map(|&s| ((u32::from(s) * 255 + maxval / 2) / maxval) as u8)
            .collect()
    };
    Ok(Rgb8Image {
        width,
        height,
        pixels,
    })
}

/// Returns the next whitespace-separated header token, skipping `#` comments.
fn next_token<'a>(data: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    loop {
        match data.get(*pos)? {
            b if b.is_ascii_whitespace() => *pos += 1,
            b'#' => {
                while *data.get(*pos)? != b'\n' {
                    *pos += 1;
                }
            }
            _ => break,
        }
    }
    let start = *pos;
    while data.get(*pos).is_some_and(|b| !b.is_ascii_whitespace()) {
        *pos += 1;
    }
    Some(&data[start..*pos])
}

/// Encodes an RGB image as PNG.
pub fn encode_png(image: &Rgb8Image, out: impl Write) -> Result<(), png::EncodingError> {
    let mut enc = png::Encoder::new(out, image.width, image.height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(&image.pixels)?;
    writer.finish()
}

/// Width and height from a PNG's IHDR chunk, or `None` if `data` is not a PNG.
pub fn png_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    if data.get(..8)? != PNG_SIGNATURE || data.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |r: std::ops::Range<usize>| -> Option<u32> {
        Some(u32::from_be_bytes(data.get(r)?.try_into().ok()?))
    };
    Some((be(16..20)?, be(20..24)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppm_round_trips_to_png() {
        let mut ppm = b"P6\n# made by a test\n2 1\n255\n".to_vec();
        ppm.extend_from_slice(&[255, 0, 0, 0, 0, 255]);
        let img = parse_ppm(&ppm).expect("valid PPM");
        assert_eq!((img.width, img.height), (2, 1));
        assert_eq!(img.pixels, [255, 0, 0, 0, 0, 255]);

        let mut png_bytes = Vec::new();
        encode_png(&img, &mut png_bytes).expect("encode");
        assert_eq!(png_dimensions(&png_bytes), Some((2, 1)));

        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
        let mut reader = decoder.read_info().expect("png header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("png frame");
        assert_eq!(&buf[..info.buffer_size()], &[255, 0, 0, 0, 0, 255]);
    }

    #[test]
    fn ppm_scales_small_maxval() {
        let ppm = b"P6 1 1 15\n\x0f\x00\x07";
        let img = parse_ppm(ppm).expect("valid PPM");
        assert_eq!(img.pixels, [255, 0, 119]);
    }

    #[test]
    fn rejects_bad_ppm() {
        assert!(parse_ppm(b"P3\n1 1\n255\n0 0 0").is_err());
        assert!(parse_ppm(b"P6\n2 2\n255\n\0\0\0").is_err());
        assert!(parse_ppm(b"P6\n1 1\n65535\n\0\0\0\0\0\0").is_err());
        assert!(parse_ppm(b"").is_err());
    }

    #[test]
    fn png_dimensions_rejects_non_png() {
        assert_eq!(png_dimensions(b"P6\n1 1\n255\n"), None);
        assert_eq!(png_dimensions(&PNG_SIGNATURE), None);
    }
}
