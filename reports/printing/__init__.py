"""The finished report as people read it: the rendering model every output reads
(``render``), where its merged cells land on a grid (``grid``), the official print
layout as HTML and PDF (``pdf``, with the CJK font subsets of ``fonts``) and as Word
(``word``)."""
