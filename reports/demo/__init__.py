"""Demonstration data: the seed reports and users of ``load_demo`` (``seeds``) and the
large generated regions of ``generate_demo_data`` (``generate``)."""
