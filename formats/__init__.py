"""Document formats, framework-free: Decree-30 drafting (python-docx), DOCX→PDF conversion
(LibreOffice), register books, document types, Vietnamese folding.

Like ``signing`` and ``storage`` this package never imports Flask, ``eoffice`` or ``meetings``
(``tests/foundation/test_architecture.py`` checks the arrows), so it can be used and tested
on its own.
"""
