"""The media: each lays out the presentation's words for one place (text, JSON, HTML, Rich,
the diff of two saved reports, the app's export)."""
