"""The official template and what values in it are: sections, narrative fields, the
three tables' rows, columns, cells and sums (``schema``), the figures of a report
(``figures``), reading numbers and text from people and files (``numbers``, ``text``)
and the calendar of deadlines (``calendar``). Depends on nothing else of the project."""
