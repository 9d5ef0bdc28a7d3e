"""Reports in and out as files and forms: the JSON interchange format (``codec``),
imports of any kind (``imports``, ``errors``), published reports as agencies keep them
(``published``), the XLSX workbook of one report (``xlsx``), starting next year's
report from this year's (``newyear``), the section and upload forms (``forms``) and
the admin's agency and user sheets (``resources``)."""
