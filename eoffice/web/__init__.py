"""The web shell: layout, home and "my work"."""
