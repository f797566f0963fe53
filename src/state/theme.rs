//! Light, dark or system theme and an accent colour, from config, query or the parent page.

/// Which colour scheme the page uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThemeMode {
    /// Follow the system setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeMode {
    /// Reads `light`, `dark` or `system`.
    pub fn parse(s: &str) -> Result<ThemeMode, String> {
        match s.trim() {
            "system" => Ok(ThemeMode::System),
            "light" => Ok(ThemeMode::Light),
            "dark" => Ok(ThemeMode::Dark),
            other => Err(format!(
                "Unknown theme \"{other}\": use light, dark or system."
            )),
        }
    }

    /// The `data-theme` attribute value; `None` follows the system.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            ThemeMode::System => None,
            ThemeMode::Light => Some("light"),
            ThemeMode::Dark => Some("dark"),
        }
    }
}

/// An accent colour and the text colour that reads on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accent {
    /// `#rrggbb`.
    pub color: String,
    /// `#000000` or `#ffffff`, whichever contrasts more with `color`.
    pub text: &'static str,
}

impl Accent {
    /// Reads `#rgb` or `#rrggbb` (nothing else, so no CSS can be injected through it).
    pub fn parse(s: &str) -> Result<Accent, String> {
        let hex = s.trim().strip_prefix('#').unwrap_or("");
        let full: String = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            6 => hex.to_owned(),
            _ => return Err(format!("Accent \"{s}\" must be a colour like #1d4aff.")),
        };
        let channel = |i: usize| {
            full.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("Accent \"{s}\" must be a colour like #1d4aff."))
        };
        let (r, g, b) = (channel(0)?, channel(2)?, channel(4)?);
        let text = if luminance(r, g, b) > 0.179 {
            "#000000"
        } else {
            "#ffffff"
        };
        Ok(Accent {
            color: format!("#{}", full.to_ascii_lowercase()),
            text,
        })
    }
}

/// WCAG relative luminance of an sRGB colour.
fn luminance(r: u8, g: u8, b: u8) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// The theme in force.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Theme {
    /// Colour scheme.
    pub mode: ThemeMode,
    /// Accent, when one was set.
    pub accent: Option<Accent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_map_to_the_attribute() {
        assert_eq!(
            ThemeMode::parse("dark").map(ThemeMode::attribute),
            Ok(Some("dark"))
        );
        assert_eq!(
            ThemeMode::parse("system").map(ThemeMode::attribute),
            Ok(None)
        );
        assert!(ThemeMode::parse("blue").is_err());
    }

    #[test]
    fn accents_are_hex_only_with_a_readable_text_colour() {
        assert_eq!(
            Accent::parse("#FF6600").map(|a| (a.color, a.text)),
            Ok(("#ff6600".into(), "#000000"))
        );
        assert_eq!(
            Accent::parse("#123").map(|a| (a.color, a.text)),
            Ok(("#112233".into(), "#ffffff"))
        );
        for bad in ["red", "#12345", "#gggggg", "#fff; background: url(x)", ""] {
            assert!(Accent::parse(bad).is_err(), "{bad}");
        }
    }
}
