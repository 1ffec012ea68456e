"""Documents travelling between organisations: inside this installation (local delivery) and to
other installations through a national-axis style transport (``axis``), as edXML packages and
status messages. ``ports`` is the seam between the two halves."""
