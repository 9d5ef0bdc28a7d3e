"""The pages, one module per area: ``reports`` (list, report page, section editor),
``workflow`` (the review steps), ``files`` (downloads and uploads of one report),
``public`` (the public site), ``oversight`` (the oversight office's pages), ``exports``
(background exports), ``health`` (the load balancer's check). ``downloads`` sends
files; who may do what is decided in ``reports.models.access``."""
