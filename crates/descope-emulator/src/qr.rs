//! QR codes as PNG images: the module matrix comes from `qrcode`, the PNG is encoded here.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module.
const SCALE: usize = 4;
/// Quiet zone, in modules, on each side (the QR spec asks for 4).
const QUIET: usize = 4;

/// Why no image was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QrFailure {
    /// More data than the largest QR code holds (2331 bytes at level M): the caller's input.
    TooLong,
    /// Anything else: the emulator's fault.
    Encoding,
}

/// A grayscale PNG of the QR code of `data`, standard base64 (no `data:` prefix).
pub(crate) fn png_base64(data: &str) -> Result<String, QrFailure> {
    let code =
        QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| match e {
            QrError::DataTooLong => QrFailure::TooLong,
            _ => QrFailure::Encoding,
        })?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (index % modules, index / modules);
            for dy in 0..SCALE {
                let row = (my + QUIET) * SCALE + dy;
                let start = row * side + (mx + QUIET) * SCALE;
                pixels[start..start + SCALE].fill(0);
            }
        }
    }
    let side = u32::try_from(side).map_err(|_| QrFailure::Encoding)?;
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let encoding = |_| QrFailure::Encoding;
        let mut writer = encoder.write_header().map_err(encoding)?;
        writer.write_image_data(&pixels).map_err(encoding)?;
        writer.finish().map_err(encoding)?;
    }
    Ok(STANDARD.encode(png))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_decodes_to_the_qr_matrix() {
        let data = "otpauth://totp/Descope:ada%40example.com?secret=ABC&issuer=Descope";
        let encoded = png_base64(data).unwrap();
        let bytes = STANDARD.decode(&encoded).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");

        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).unwrap();
        let modules = code.width();
        assert_eq!(info.width as usize, (modules + 2 * QUIET) * SCALE);
        // Sample the centre pixel of every module.
        let side = info.width as usize;
        for (index, color) in code.to_colors().iter().enumerate() {
            let (mx, my) = (index % modules, index / modules);
            let x = (mx + QUIET) * SCALE + SCALE / 2;
            let y = (my + QUIET) * SCALE + SCALE / 2;
            let dark = buf[y * side + x] == 0;
            assert_eq!(dark, *color == Color::Dark, "module {mx},{my}");
        }
        // Quiet zone is white.
        assert!(buf[..side * QUIET * SCALE].iter().all(|p| *p == 255));
    }

    #[test]
    fn too_much_data_is_the_callers_fault() {
        assert_eq!(png_base64(&"a".repeat(2331)).map(|_| ()), Ok(()));
        assert_eq!(png_base64(&"a".repeat(2332)), Err(QrFailure::TooLong));
    }
}
