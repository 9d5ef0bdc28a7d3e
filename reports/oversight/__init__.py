"""What an oversight office (主管部门) sees of the agencies beneath it, always through
``Report.objects.current()``: the status table (``dashboard``), the roll-up of a
subtree (``rollup``), charts (``charts``), workbooks (``xlsx``), the background exports
(``exports``) and each user's inbox (``inbox``)."""
