//! groups-console app.
