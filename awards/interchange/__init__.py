"""The awards' files that travel (docs/formats.md): the proposal and decision files between
installations (``decisions``) and the past titles' Excel template and its reading
(``past_titles``)."""
