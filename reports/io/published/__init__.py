"""Reading a published annual report — the text, Word, PDF or web page an agency put
online — into the interchange format: ``source`` turns a file into lines, ``parse``
finds the sections and the tables in them."""
